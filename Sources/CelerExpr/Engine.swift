import CelerArray
import CelerCore
import CelerParallel

// Running a plan: shapes are checked, each pass's iteration space is laid out
// (axes in the output's memory order, axes merged where every operand allows,
// so most views become one flat loop), cut into fixed blocks, and the blocks
// shared among Celer's threads.
//
// Blocks: when the innermost (merged) axis is long (≥ 256 elements) a block
// is a piece of one row, up to `blockSize` elements, and each operand of the
// block is a pointer and a step (contiguous operands are read in place);
// otherwise a block is `blockSize` consecutive elements of the whole space,
// gathered. The blocks depend on the shapes and strides only, never on the
// thread count, and reductions combine per-block results in a fixed binary
// tree: the same bits for any number of threads.

enum Engine {
    /// Elements per block: 1 KiB a register of doubles. numexpr uses 1024;
    /// here 1024 ran memory-bound expressions 1.5-1.7x slower than 128
    /// (`a*b + c` on 1e7 doubles, one thread: 24 against 14 ms; the streams
    /// are read in long alternating bursts that map to the same cache sets),
    /// while 128 still amortises the per-block dispatch (`2*a + b**10`:
    /// 4x NDArray).
    static let blockSize = 128
    /// Rows at least this long are cut into blocks row by row.
    static let rowThreshold = 256
    /// Below this many elements a pass runs on the calling thread alone.
    static let parallelThreshold = 1 << 16
}

/// The iteration space of one pass, after ordering and merging axes.
struct Geometry {
    var shape: [Int]            // at least one axis
    var strides: [[Int]]        // per operand, per axis (elements)
    var count: Int
    var rowMode: Bool
    var blocksPerRow: Int
    var blockCount: Int
    /// Per operand: whether its strides are the row-major strides of `shape`.
    var flat: [Bool]

    var inner: Int { shape[shape.count - 1] }
    var rows: Int { count / Swift.max(inner, 1) }

    /// Lays out `shape` for operands with `strides` (already broadcast to
    /// `shape`). Axes are ordered outermost first by `order` (descending
    /// |stride|); `lastAxis`, when given, stays innermost and is never merged.
    static func make(shape full: [Int], strides all: [[Int]], order: [Int], lastAxis: Int? = nil) -> Geometry {
        // The common case first: every operand row-major over the whole shape
        // (or a broadcast scalar): one flat run, no sorting or merging.
        if lastAxis == nil, !full.isEmpty, !full.contains(0) {
            let contiguous = Layout.contiguousStrides(full)
            var simple = true
            for s in all where s != contiguous && !s.allSatisfy({ $0 == 0 }) { simple = false; break }
            if simple {
                let count = full.reduce(1, *)
                return Geometry(flatCount: count, strides: all.map { $0.allSatisfy { $0 == 0 } && count > 1 ? [0] : [1] })
            }
        }
        return Geometry(shape: full, strides: all, order: order, lastAxis: lastAxis)
    }

    init(shape full: [Int], strides all: [[Int]], order: [Int], lastAxis: Int? = nil) {
        var axes = (0..<full.count).filter { full[$0] != 1 && $0 != lastAxis }
        axes.sort { Swift.abs(order[$0]) > Swift.abs(order[$1]) || (Swift.abs(order[$0]) == Swift.abs(order[$1]) && $0 < $1) }
        if full.contains(0) { axes = [] }
        var shape: [Int] = [], strides: [[Int]] = Array(repeating: [], count: all.count)
        for a in axes {
            if let last = shape.last,
               (0..<all.count).allSatisfy({ strides[$0].last! == all[$0][a] * full[a] }) {
                shape[shape.count - 1] = last * full[a]
                for o in 0..<all.count { strides[o][strides[o].count - 1] = all[o][a] }
                continue
            }
            shape.append(full[a])
            for o in 0..<all.count { strides[o].append(all[o][a]) }
        }
        if let l = lastAxis {
            shape.append(full[l])
            for o in 0..<all.count { strides[o].append(all[o][l]) }
        }
        if shape.isEmpty {
            shape = [full.contains(0) ? 0 : 1]
            strides = Array(repeating: [1], count: all.count)
        }
        self.shape = shape
        self.strides = strides
        count = shape.reduce(1, *)
        rowMode = shape.count == 1 || shape[shape.count - 1] >= Engine.rowThreshold || lastAxis != nil
        let inner = shape[shape.count - 1]
        blocksPerRow = rowMode ? Swift.max(1, (inner + Engine.blockSize - 1) / Engine.blockSize) : 0
        blockCount = count == 0 ? 0 : rowMode ? (count / Swift.max(inner, 1)) * blocksPerRow : (count + Engine.blockSize - 1) / Engine.blockSize
        let contiguous = Layout.contiguousStrides(shape)
        flat = strides.map { s in (0..<shape.count).allSatisfy { shape[$0] == 1 || s[$0] == contiguous[$0] } }
    }

    /// One axis of `count` elements; each operand steps by 1 (or 0: a broadcast scalar).
    init(flatCount count: Int, strides: [[Int]]) {
        shape = [count]
        self.strides = strides
        self.count = count
        rowMode = true
        blocksPerRow = Swift.max(1, (count + Engine.blockSize - 1) / Engine.blockSize)
        blockCount = count == 0 ? 0 : blocksPerRow
        flat = strides.map { $0[0] == 1 || count == 1 }
    }

    /// The element offset of row `r` (all axes but the last) for operand `o`.
    @inline(__always)
    func rowOffset(_ r: Int, _ o: Int) -> Int {
        var r = r, offset = 0
        let s = strides[o]
        var d = shape.count - 2
        while d >= 0 {
            let n = shape[d]
            offset &+= (r % n) &* s[d]
            r /= n
            d -= 1
        }
        return offset
    }
}

/// One operand of a pass: where its elements are.
struct BoundOperand {
    var base: UnsafeMutableRawPointer
    var size: Int
}

/// A pass bound to its operands and ready to run blocks.
struct PassRunner {
    let pass: Pass
    let instructions: [Instruction]
    let geometry: Geometry
    /// Loads: (register, operand index in geometry).
    let loads: [(register: Int, operand: Int)]
    let operands: [BoundOperand]
    /// The output operand index and root register (elementwise passes).
    let output: (operand: Int, register: Int, size: Int)?
    /// Whether contiguous output runs are computed in scratch and written with
    /// streaming stores (outputs bigger than the last-level cache that no
    /// input shares: they skip the read-for-ownership, 8 of 40 bytes an
    /// element for `a*b + c`, and leave the inputs' lines in cache).
    var streaming = false

    /// Per-thread scratch: the registers, constants filled in.
    final class Scratch {
        let memory: UnsafeMutableRawPointer
        let regs: Registers
        let homes: Registers
        let count: Int
        init(_ runner: PassRunner) {
            count = Swift.max(runner.pass.registerCount, 1)
            // Small passes get small registers: no block is longer than the pass.
            let elements = Swift.max(1, Swift.min(Engine.blockSize, runner.geometry.count))
            let bytes = (elements * 8 + 63) & ~63
            memory = UnsafeMutableRawPointer.allocate(byteCount: count * bytes, alignment: 64)
            regs = .allocate(capacity: count)
            homes = .allocate(capacity: count)
            for r in 0..<count {
                homes[r] = memory + r * bytes
                regs[r] = homes[r]
            }
            for ins in runner.pass.program {
                if case .constant(let bits) = ins.kind { fillConstant(bits, ins.dtype, elements, homes[ins.dst]) }
            }
        }
        deinit { memory.deallocate(); regs.deallocate(); homes.deallocate() }
    }

    /// Runs block `k`; returns the register of element count `n` through `body`.
    @inline(__always)
    func runBlock(_ k: Int, _ scratch: Scratch) -> Int {
        let g = geometry
        let regs = scratch.regs
        var n: Int
        if g.rowMode {
            let r = k / g.blocksPerRow, j = (k % g.blocksPerRow) * Engine.blockSize
            n = Swift.min(Engine.blockSize, g.inner - j)
            let last = g.shape.count - 1
            for (register, o) in loads {
                let op = operands[o]
                let step = g.strides[o][last]
                let p = op.base + (g.rowOffset(r, o) &+ j &* step) &* op.size
                if step == 1 { regs[register] = p }
                else { regs[register] = scratch.homes[register]; gather(op.size, n, p, step, scratch.homes[register]) }
            }
            if let out = output {
                let step = g.strides[out.operand][last]
                if step == 1 && !streaming {
                    regs[out.register] = operands[out.operand].base + (g.rowOffset(r, out.operand) &+ j) &* out.size
                } else {
                    regs[out.register] = scratch.homes[out.register]
                }
            }
            for ins in instructions { execute(ins, n, regs) }
            if let out = output {
                let step = g.strides[out.operand][last]
                if step == 1 && streaming {
                    let p = operands[out.operand].base + (g.rowOffset(r, out.operand) &+ j) &* out.size
                    StreamingStore.copy(scratch.homes[out.register], to: p, bytes: n &* out.size)
                } else if step != 1 {
                    let p = operands[out.operand].base + (g.rowOffset(r, out.operand) &+ j &* step) &* out.size
                    scatter(out.size, n, scratch.homes[out.register], p, step)
                }
            }
        } else {
            let start = k * Engine.blockSize
            n = Swift.min(Engine.blockSize, g.count - start)
            for (register, o) in loads {
                let op = operands[o]
                if g.flat[o] { regs[register] = op.base + start &* op.size }
                else { regs[register] = scratch.homes[register]; walk(o, start, n) { off, m, done, step in
                    gather(op.size, m, op.base + off &* op.size, step, scratch.homes[register] + done &* op.size)
                } }
            }
            if let out = output {
                regs[out.register] = g.flat[out.operand] ? operands[out.operand].base + start &* out.size : scratch.homes[out.register]
            }
            for ins in instructions { execute(ins, n, regs) }
            if let out = output, !g.flat[out.operand] {
                let base = operands[out.operand].base
                walk(out.operand, start, n) { off, m, done, step in
                    scatter(out.size, m, scratch.homes[out.register] + done &* out.size, base + off &* out.size, step)
                }
            }
        }
        return n
    }

    /// Visits elements `start ..< start + n` of operand `o` as runs along the
    /// last axis: body(element offset, run length, elements before, step).
    @inline(__always)
    func walk(_ o: Int, _ start: Int, _ n: Int, _ body: (Int, Int, Int, Int) -> Void) {
        let g = geometry
        let inner = g.inner, step = g.strides[o][g.shape.count - 1]
        var row = start / inner, col = start % inner, done = 0
        while done < n {
            let m = Swift.min(inner - col, n - done)
            body(g.rowOffset(row, o) &+ col &* step, m, done, step)
            done += m
            row += 1
            col = 0
        }
    }

    /// Runs `blocks` of the pass, sharing them among threads when worthwhile;
    /// `each(k, n, scratch)` sees every block after its program ran.
    func run(_ each: (Int, Int, Scratch) -> Void) {
        let blocks = geometry.blockCount
        if blocks == 0 { return }
        let threads = Parallel.threadCount
        if threads <= 1 || geometry.count < Engine.parallelThreshold || blocks < 2 {
            let scratch = Scratch(self)
            for k in 0..<blocks { each(k, runBlock(k, scratch), scratch) }
            if streaming { StreamingStore.fence() }
            return
        }
        let chunk = Swift.max(1, blocks / (threads * 16))
        parallelFor(0..<blocks, schedule: .dynamic(chunk)) { range in
            let scratch = Scratch(self)
            for k in range { each(k, runBlock(k, scratch), scratch) }
            if streaming { StreamingStore.fence() }
        }
    }
}
