import CelerArray
import CelerCore
import CelerHarness
@testable import CelerWorkloads
import Testing

// The ndarray rungs against straightforward loops over the definitions in
// docs/workloads.md: equal bit for bit (same operations, same order).

@Suite struct NDArrayRungsTests {
    @Test func derivativeMatchesTheLoop() {
        let n = 1001, dx = 0.5
        let f = NDArray<Double>.randomUniform([n], seed: 7)
        let out = ndarrayDerivative(f: f, dx: dx)
        let p = f.scalars
        #expect(out.shape == [n - 2])
        for i in 1..<(n - 1) {
            #expect(out[element: i - 1].bitPattern == ((p[i - 1] - 2 * p[i] + p[i + 1]) / (dx * dx)).bitPattern)
        }
    }

    @Test(arguments: [(1.0, 1.0), (0.5, 0.25)])
    func laplacianMatchesTheLoop(dx: Double, dy: Double) {
        let n = 37, m = 53
        let f = NDArray<Double>.randomUniform([n, m], seed: 42)
        let fresh = ndarrayLaplacian(f: f, dx: dx, dy: dy, out: nil)
        let out = NDArray<Double>.zeros([n - 2, m - 2])
        let into = ndarrayLaplacian(f: f, dx: dx, dy: dy, out: out)
        #expect(into.storage === out.storage)
        let p = f.scalars
        let dx2 = dx * dx, dy2 = dy * dy
        for i in 1..<(n - 1) {
            for j in 1..<(m - 1) {
                let e = (p[(i - 1) * m + j] + p[(i + 1) * m + j]) / dx2 + (p[i * m + j - 1] + p[i * m + j + 1]) / dy2
                    - p[i * m + j] * (2 / dx2 + 2 / dy2)
                #expect(fresh[element: i - 1, j - 1].bitPattern == e.bitPattern)
                #expect(out[element: i - 1, j - 1].bitPattern == e.bitPattern)
            }
        }
    }

    @Test func diffusionMatchesTheLoop() {
        let n = 40, steps = 10
        let u = NDArray<Double>.zeros([n, n])
        u[.s(16, 20), .s(16, 20)] = NDArray(scalar: 0.005)
        u[.s(3, 5), .s(30, 39)] = NDArray(scalar: 0.25)
        var ref = u.scalars
        ndarrayDiffusion(u: u, steps: steps, dt: 0.1, D: 1)
        for _ in 0..<steps {
            var next = ref
            for i in 0..<n {
                for j in 0..<n {
                    let up = ref[((i - 1 + n) % n) * n + j], down = ref[((i + 1) % n) * n + j]
                    let left = ref[i * n + (j - 1 + n) % n], right = ref[i * n + (j + 1) % n]
                    let lap = ((up + down) + left) + right - 4 * ref[i * n + j]
                    next[i * n + j] = ref[i * n + j] + (1 * 0.1) * lap
                }
            }
            ref = next
        }
        #expect(u.scalars.map(\.bitPattern) == ref.map(\.bitPattern))
    }

    @Test func diffusionAtSeedSizeAfterTenStepsMatchesWorkloads() {
        let u = NDArray<Double>.zeros([640, 640])
        u[.s(256, 320), .s(256, 320)] = NDArray(scalar: 0.005)
        ndarrayDiffusion(u: u, steps: 10, dt: 0.1, D: 1)
        var acc = AccurateSum()
        for x in u.scalars { acc.add(x * x) }
        // workloads.md gives the exact sum of exact squares; summing the
        // rounded squares (as NumPy's math.fsum((u*u).ravel()) does) ends 29.
        #expect(Swift.abs(acc.value - 0.09748586131221627) < 1e-16)
        #expect(u.max() == 0.005)
    }

    @Test func addAndSieve() {
        let a = NDArray<Double>.randomUniform([1234], seed: 1), b = NDArray<Double>.randomUniform([1234], seed: 2)
        let out = NDArray<Double>.zeros([1234])
        ndarrayAdd(a: a, b: b, out: out)
        #expect(out.scalars == zip(a.scalars, b.scalars).map { $0 + $1 })
        for limit in [0, 1, 2, 3, 30, 1000, 1_000_000] {
            var composite = [Bool](repeating: false, count: limit + 1)
            var primes: [Int64] = []
            if limit >= 2 {
                for i in 2...limit where !composite[i] {
                    primes.append(Int64(i))
                    var j = i * i
                    while j <= limit { composite[j] = true; j += i }
                }
            }
            #expect(ndarraySieve(limit: limit).scalars == primes)
        }
        #expect(ndarraySieve(limit: 1_000_000).count == 78498)
    }
}
