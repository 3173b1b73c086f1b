import CelerArray
import CelerCore
import CelerExpr
import CelerHarness
import CelerParallel

// The `fused` rungs: the tutorials' NumPy code written with CelerExpr's lazy
// expressions (numexpr's role), so each formula is one pass over memory on
// all threads, with no full-size temporaries. Expressions are compiled when
// the rung is prepared (outside the timing), as a numexpr user would
// compile once and reuse. Every formula keeps the definition's operation
// order, so the results are the same bits as the other rungs'.
//
// The escape-time studies get NumPy-style rungs in the 2011 guide's
// vectorised form, `where(inside, next, current)` over whole images:
// `ndarray` (one NDArray operation at a time) and `fused` (one pass per
// updated array).

/// The fused and vectorised rungs, added to the studies through the registry.
public enum FusedRungs {
    public static let extensions: [RungExtension] = [
        RungExtension(Derivative.self, rungs: [derivative]),
        RungExtension(Laplacian.self, rungs: [laplacian]),
        RungExtension(Diffusion.self, rungs: [diffusion]),
        RungExtension(VectorAdd.self, rungs: [vectorAdd]),
        RungExtension(Julia.self, rungs: escape(JuliaRule.self, julia: true)),
        RungExtension(Mandelbrot.self, rungs: escape(MandelbrotRule.self, julia: false)),
    ]

    /// `(f[:-2] - 2*f[1:-1] + f[2:]) / dx**2` into a preallocated out.
    static let derivative = Rung<Derivative.Config>(
        "fused", "lazy expression: (f[:-2] - 2*f[1:-1] + f[2:]) / dx**2, one pass into out", backend: .threads) { config in
        let f = NDArray<Double>(copying: Derivative.makeInput(config))
        let out = NDArray<Double>.empty([config.outputCount])
        let e = CompiledExpression((f[.to(-2)].lazy - 2 * f[.s(1, -1)].lazy + f[.from(2)].lazy) / (config.dx * config.dx))
        return .ready(run: { try! e.evaluate(into: out) },
                      validation: { out.withContiguousElements(Derivative.validationSummary) })
    }

    /// `(up + down)/dx2 + (left + right)/dy2 - middle*(2/dx2 + 2/dy2)` into out.
    static let laplacian = Rung<Laplacian.Config>(
        "fused", "lazy expression over the five shifted slices, one pass into out", backend: .threads) { config in
        let f = NDArray<Double>(copying: Laplacian.makeInput(config), shape: [config.rows, config.cols])
        let out = NDArray<Double>.zeros([config.outputRows, config.outputCols])
        let dx2 = config.dx * config.dx, dy2 = config.dy * config.dy
        let up = f[.to(-2), .s(1, -1)].lazy, down = f[.from(2), .s(1, -1)].lazy
        let left = f[.s(1, -1), .to(-2)].lazy, right = f[.s(1, -1), .from(2)].lazy
        let middle = f[.s(1, -1), .s(1, -1)].lazy
        let e = CompiledExpression((up + down) / dx2 + (left + right) / dy2 - middle * (2 / dx2 + 2 / dy2))
        return .ready(run: { try! e.evaluate(into: out) },
                      validation: { out.withContiguousElements(Laplacian.validationSummary) })
    }

    /// Each step, on a grid with one ghost cell around it: copy the wrapped
    /// edges into the ghosts (O(rows + cols)), then one fused pass
    /// `v = u + (D*dt)*((((up + down) + left) + right) - 4*u)` from shifted
    /// slices of the padded grid into the other grid; swap.
    static let diffusion = Rung<Diffusion.Config>(
        "fused", "ghost cells + one lazy expression per step (no rolled copies), two grids", backend: .threads) { config in
        let initial = Diffusion.makeInput(config)
        let rows = config.rows, cols = config.cols
        let grids = [NDArray<Double>.zeros([rows + 2, cols + 2]), NDArray<Double>.zeros([rows + 2, cols + 2])]
        let e = CompiledExpression(Expr.input("c") + config.weight
            * ((((Expr.input("up") + Expr.input("down")) + Expr.input("left")) + Expr.input("right")) - 4 * Expr.input("c")))
        func inputs(_ p: NDArray<Double>) -> [String: any ExprInput] {
            ["up": p[.s(0, rows), .s(1, cols + 1)], "down": p[.s(2, rows + 2), .s(1, cols + 1)],
             "left": p[.s(1, rows + 1), .s(0, cols)], "right": p[.s(1, rows + 1), .s(2, cols + 2)],
             "c": p[.s(1, rows + 1), .s(1, cols + 1)]]
        }
        let bound = grids.map(inputs)
        let interiors = grids.map { $0[.s(1, rows + 1), .s(1, cols + 1)] }
        let source = NDArray<Double>(copying: initial, shape: [rows, cols])
        let result = StencilBox(0)
        return .ready(run: {
            try! interiors[0].assign(source)
            var k = 0
            for _ in 0..<config.steps {
                let p = grids[k]
                try! p[.s(0, 1), .s(1, cols + 1)].assign(p[.s(rows, rows + 1), .s(1, cols + 1)])
                try! p[.s(rows + 1, rows + 2), .s(1, cols + 1)].assign(p[.s(1, 2), .s(1, cols + 1)])
                try! p[.s(1, rows + 1), .s(0, 1)].assign(p[.s(1, rows + 1), .s(cols, cols + 1)])
                try! p[.s(1, rows + 1), .s(cols + 1, cols + 2)].assign(p[.s(1, rows + 1), .s(1, 2)])
                try! e.evaluate(into: interiors[1 - k], bound[k])
                k = 1 - k
            }
            result.value = k
        }, validation: { interiors[result.value].withContiguousElements(Diffusion.validationSummary) })
    }

    /// `a + b` into out.
    static let vectorAdd = Rung<VectorAdd.Config>(
        "fused", "lazy expression a + b into out (the degenerate case: nothing to fuse)", backend: .threads) { config in
        let (a, b) = VectorAdd.makeInputs(config)
        let x = NDArray<Double>(copying: a), y = NDArray<Double>(copying: b)
        let out = NDArray<Double>.zeros([config.n])
        let e = CompiledExpression(x.lazy + y.lazy)
        return .ready(run: { try! e.evaluate(into: out) },
                      validation: { out.withContiguousElements(VectorAdd.validationSummary) })
    }

    /// The 2011 guide's vectorised escape time: every iteration updates the
    /// whole image, freezing escaped pixels with `where` and counting the
    /// iterations each pixel was inside. The same orbit arithmetic as the
    /// scalar rungs (x' = (x·x − y·y) + cr, y' = (x·y)·2 + ci), so the same counts.
    static func escape<R: EscapeRule, C: EscapeConfig & Sendable>(_ rule: R.Type, julia: Bool) -> [Rung<C>] {
        let test = julia ? "< 4" : "<= 4"
        /// The `where` form counts the formula grid's Mandelbrot rule; the 2011
        /// guide's rule (`--grid tutorial`) is not written in it yet.
        @Sendable func refusal(_ config: C) -> String? {
            (config as? Mandelbrot.Config)?.grid == .tutorial
                ? "--grid tutorial: the where() rungs follow the formula grid's Mandelbrot rule only" : nil
        }
        return [
            Rung<C>("ndarray", "NumPy style: whole-image where(inside, z*z + c, z) per iteration, one operation at a time",
                    backend: .threads) { config in
                if let why = refusal(config) { return .refused(why) }
                let s = EscapeState(config.problem, julia: julia)
                return .ready(run: {
                    s.reset()
                    for _ in 0..<s.maxiter {
                        let x = s.x, y = s.y
                        let xx = x * x, yy = y * y
                        let inside = julia ? (xx + yy) .< 4 : (xx + yy) .<= 4
                        s.counts += inside.astype(Int32.self)
                        s.x = `where`(inside, (xx - yy) + s.cr, x)
                        s.y = `where`(inside, (x * y) * 2 + s.ci, y)
                    }
                }, validation: { s.validation })
            },
            Rung<C>("fused", "the same loop as lazy expressions: one pass per updated image (counts, x, y)",
                    backend: .threads) { config in
                if let why = refusal(config) { return .refused(why) }
                let s = EscapeState(config.problem, julia: julia)
                let count = try! CompiledExpression("n + int32(x*x + y*y \(test))")
                let nextX = try! CompiledExpression("where(x*x + y*y \(test), (x*x - y*y) + cr, x)")
                let nextY = try! CompiledExpression("where(x*x + y*y \(test), (x*y)*2 + ci, y)")
                let x2 = NDArray<Double>.empty(s.x.shape), y2 = NDArray<Double>.empty(s.y.shape)
                return .ready(run: {
                    s.reset()
                    var (x, y, xn, yn) = (s.x, s.y, x2, y2)
                    for _ in 0..<s.maxiter {
                        let inputs: [String: any ExprInput] = ["x": x, "y": y, "cr": s.cr, "ci": s.ci, "n": s.counts]
                        try! count.evaluate(into: s.counts, inputs)
                        try! nextX.evaluate(into: xn, inputs)
                        try! nextY.evaluate(into: yn, inputs)
                        (x, xn) = (xn, x)
                        (y, yn) = (yn, y)
                    }
                }, validation: { s.validation })
            },
        ]
    }
}

/// The whole-image state of the vectorised escape-time rungs.
final class EscapeState: @unchecked Sendable {
    let x0: NDArray<Double>, y0: NDArray<Double>
    let cr: NDArray<Double>, ci: NDArray<Double>
    var x: NDArray<Double>, y: NDArray<Double>
    let counts: NDArray<Int32>
    let maxiter: Int

    init(_ p: EscapeProblem, julia: Bool) {
        let h = p.height, w = p.width
        let xs = NDArray<Double>(p.xs).reshaped(1, w), ys = NDArray<Double>(p.ys).reshaped(h, 1)
        let gx = xs + NDArray<Double>.zeros([h, w]), gy = ys + NDArray<Double>.zeros([h, w])
        if julia {
            x0 = gx; y0 = gy
            cr = NDArray(scalar: p.c.re); ci = NDArray(scalar: p.c.im)
        } else {
            x0 = NDArray<Double>.zeros([h, w]); y0 = NDArray<Double>.zeros([h, w])
            cr = gx; ci = gy
        }
        x = x0.copy(); y = y0.copy()
        counts = NDArray<Int32>.zeros([h, w])
        maxiter = p.maxiter
    }

    func reset() {
        try! x.assign(x0)
        try! y.assign(y0)
        counts.fill(0)
    }

    var validation: [ValidationValue] {
        var sum: Int64 = 0
        for v in counts.scalars { sum &+= Int64(v) }
        return [ValidationValue("sum", sum, countsWork: true)]
    }
}
