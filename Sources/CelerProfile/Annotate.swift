import CelerCore
#if canImport(Glibc)
import Glibc
#endif

// `celer annotate`: `cython -a` for compiled Swift. For each source line of
// a function (or a file range) of a built binary, what its machine code
// calls at run time (retain/release, exclusivity checks, allocations,
// generic metadata and witness look-ups, indirect calls), its trap checks
// (bounds, overflow: branches to ud2/brk), and whether the loops it is part
// of run packed SIMD arithmetic; each line scored by those costs. The
// machine code comes from `llvm-objdump`, the source line of each
// instruction from `llvm-symbolizer` (with inlined frames: code inlined
// into the function counts on the line of the call it came from).

/// What one instruction does, as annotate sees it.
public enum CostKind: String, CaseIterable, Sendable {
    case retain = "swift_retain"
    case release = "swift_release"
    case exclusivity = "exclusivity check"
    case allocation = "allocation"
    case generic = "generic metadata/witness"
    case indirect = "indirect call"
    case runtime = "other runtime call"
    case trapCheck = "trap check (bounds/overflow)"
    case call = "call"

    /// The weight of one occurrence in a line's score (cython -a counts
    /// interpreter calls; these are Swift's hidden costs, roughly by price).
    var score: Double {
        switch self {
        case .retain, .release: return 1
        case .exclusivity: return 2
        case .allocation: return 5
        case .generic: return 3
        case .indirect: return 1
        case .runtime: return 1
        case .trapCheck: return 0.25
        case .call: return 0
        }
    }

    /// The kind of a call to `symbol` (a linkage name, `@plt` stripped).
    static func of(callTo symbol: String) -> CostKind {
        let s = symbol.hasPrefix("_$s") ? String(symbol.dropFirst()) : symbol
        if s.contains("Retain") || s.hasPrefix("swift_retain") || s.hasPrefix("swift_nonatomic_retain") || s == "objc_retain" { return .retain }
        if s.contains("Release") || s.hasPrefix("swift_release") || s.hasPrefix("swift_nonatomic_release") || s == "objc_release" { return .release }
        if s == "swift_beginAccess" || s == "swift_endAccess" { return .exclusivity }
        if ["swift_allocObject", "swift_allocBox", "swift_slowAlloc", "swift_allocEmptyBox", "malloc", "calloc", "realloc",
            "posix_memalign", "aligned_alloc", "swift_deallocObject", "swift_slowDealloc", "free", "swift_deallocBox",
            "swift_deallocUninitializedObject"].contains(s) || s.hasPrefix("swift_initStackObject") { return .allocation }
        if s.hasPrefix("swift_getGenericMetadata") || s.hasPrefix("swift_getWitnessTable") || s.hasPrefix("swift_getAssociated")
            || s.hasPrefix("swift_conformsToProtocol") || s.hasPrefix("swift_dynamicCast") || s.hasPrefix("__swift_instantiateConcreteType")
            || s.hasPrefix("swift_getTypeByMangled") || s.hasPrefix("swift_checkMetadataState")
            || (s.hasPrefix("$s") && (s.hasSuffix("Ma") || s.hasSuffix("Mb") || s.hasSuffix("WL") || s.hasSuffix("Wl"))) { return .generic }
        if s.hasPrefix("swift_") || s.hasPrefix("__swift_") { return .runtime }
        return .call
    }
}

/// One machine instruction of the annotated code.
public struct Instruction: Sendable {
    public var address: UInt64
    public var mnemonic: String
    public var operands: String
    /// The called or jumped-to symbol (`callq 0x… <swift_retain@plt>`).
    public var target: String?
    public var targetAddress: UInt64?
    public var line: Int = 0
    public var kind: CostKind? = nil
    public var packedSIMD = false
}

/// The annotation of one source line.
public struct AnnotatedLine: Sendable {
    public var number: Int
    public var source: String
    public var instructions: [Instruction] = []
    public var counts: [CostKind: Int] = [:]
    /// Calls to other functions: demangled names and how many call sites.
    public var calls: [String: Int] = [:]
    public var packedOps = 0
    /// Inside a loop whose body runs packed SIMD arithmetic.
    public var inVectorLoop = false
    public var inLoop = false
    /// Sampled weight on this line (with --profile) and its share of the function.
    public var sampledWeight = 0
    public var sampledPercent: Double? = nil

    public var score: Double { counts.reduce(0) { $0 + $1.key.score * Double($1.value) } }
}

/// An annotated function.
public struct Annotation: Sendable {
    public var function: String
    public var linkageName: String
    public var file: String
    public var lines: [AnnotatedLine]
    /// Loops (backward branches): their source lines and whether they are vectorised.
    public var loops: [(lines: ClosedRange<Int>, vectorised: Bool)]
    public var profiled: Bool
}

public enum Annotator {
    struct Symbol { var address: UInt64; var size: UInt64; var name: String; var demangled: String }

    /// The function symbols of `binary` (text symbols with a size), demangled.
    static func symbols(_ binary: String) throws(CelerError) -> [Symbol] {
        guard let nm = Toolchain.tool("llvm-nm") else { throw CelerError("annotate", "llvm-nm not found (the Swift toolchain's LLVM tools are needed)") }
        let out = try Toolchain.run([nm, "--defined-only", "-S", binary])
        var syms: [Symbol] = []
        for line in out.output.split(separator: "\n") {
            let f = line.split(separator: " ", maxSplits: 3)
            guard f.count == 4, f[2] == "t" || f[2] == "T", let a = UInt64(f[0], radix: 16), let s = UInt64(f[1], radix: 16), s > 0 else { continue }
            syms.append(Symbol(address: a, size: s, name: String(f[3]), demangled: String(f[3])))
        }
        let names = Symbolizer.demangle(syms.map(\.name))
        for i in syms.indices { syms[i].demangled = names[syms[i].name] ?? syms[i].name }
        return syms
    }

    /// Annotates the function named `name` (demangled name, or part of it, or its linkage name).
    public static func annotate(binary: String, function name: String, profile: SampleProfile? = nil) throws(CelerError) -> Annotation {
        let elf = try checked(binary)
        _ = elf
        let syms = try symbols(binary)
        var found = syms.filter { $0.demangled == name || $0.name == name }
        if found.isEmpty { found = syms.filter { $0.demangled.contains(name) } }
        // Specialisations and thunks share a name; the largest body is the one to read.
        let distinct = Set(found.map(\.demangled))
        guard !found.isEmpty else {
            throw CelerError("--function", "no function in \(binary) is named '\(name)' or contains it")
        }
        guard distinct.count == 1 else {
            throw CelerError("--function", "'\(name)' matches \(distinct.count) functions (\(distinct.sorted().prefix(4).joined(separator: "; "))\(distinct.count > 4 ? "; …" : "")); give more of the name")
        }
        let symbol = found.max { $0.size < $1.size }!
        return try annotate(binary: binary, symbol: symbol, lineRange: nil, file: nil, profile: profile)
    }

    /// Annotates the functions defined in `file` (a path or its ending) whose lines meet `range`.
    public static func annotate(binary: String, file: String, range: ClosedRange<Int>, profile: SampleProfile? = nil) throws(CelerError) -> [Annotation] {
        _ = try checked(binary)
        let syms = try symbols(binary)
        guard let tool = Toolchain.tool("llvm-symbolizer") else { throw CelerError("annotate", "llvm-symbolizer not found") }
        // Where each function begins (its declaration's file and line).
        var starts: [(Symbol, SourceFrame)] = []
        var index = 0
        while index < syms.count {
            let batch = Array(syms[index..<min(index + 4000, syms.count)])
            index += batch.count
            let out = try Toolchain.run([tool, "--obj=\(binary)", "--functions=linkage", "--no-inlines", "--verbose", "--no-demangle"]
                                        + batch.map { "0x" + String($0.address, radix: 16) })
            let blocks = out.output.components(separatedByBlankLines: ())
            for (i, s) in batch.enumerated() where i < blocks.count {
                if let f = Symbolizer.parseBlock(blocks[i]).first, f.file == file || f.file.hasSuffix("/" + file) { starts.append((s, f)) }
            }
        }
        guard !starts.isEmpty else { throw CelerError(file, "no function of \(binary) is defined in this file (is it the right binary, built with -g?)") }
        var result: [Annotation] = []
        // Every function of the file may hold code inlined from the range
        // (a generic helper inlined into a later kernel), so all are read.
        for (s, f) in starts.sorted(by: { $0.1.startLine < $1.1.startLine }).prefix(200) {
            let a = try annotate(binary: binary, symbol: s, lineRange: range, file: f.file, profile: profile)
            if !a.lines.isEmpty && a.lines.contains(where: { !$0.instructions.isEmpty }) { result.append(a) }
        }
        guard !result.isEmpty else { throw CelerError(file, "no machine code of \(binary) comes from lines \(range.lowerBound)-\(range.upperBound)") }
        return result
    }

    static func checked(_ binary: String) throws(CelerError) -> ELFFile {
        let elf = try ELFFile(binary)
        guard elf.hasLineTables else {
            throw CelerError(binary, "has no debug info (no .debug_line); rebuild it with -g (SwiftPM release builds already pass -g)")
        }
        return elf
    }

    static func annotate(binary: String, symbol: Symbol, lineRange: ClosedRange<Int>?, file: String?, profile: SampleProfile?) throws(CelerError) -> Annotation {
        guard let objdump = Toolchain.tool("llvm-objdump") else { throw CelerError("annotate", "llvm-objdump not found") }
        let dis = try Toolchain.run([objdump, "-d", "--no-show-raw-insn", "--start-address=0x" + String(symbol.address, radix: 16),
                                     "--stop-address=0x" + String(symbol.address + symbol.size, radix: 16), binary])
        var instructions = parseDisassembly(dis.output)
        // The source line of each instruction in this function: the
        // outermost frame (the function itself), or the frame from `file`.
        let frames = Symbolizer.symbolize(object: binary, addresses: instructions.map(\.address))
        var fileVotes: [String: Int] = [:]
        for i in instructions.indices {
            let chain = frames[instructions[i].address] ?? []
            // In a file range, code inlined from the range counts on its own
            // line (the innermost frame there), not on the call that inlined it.
            let own = file.map { f in
                chain.first { $0.file == f && lineRange?.contains($0.line) == true } ?? chain.last { $0.file == f }
            } ?? chain.last
            instructions[i].line = own?.line ?? 0
            if let own, own.line > 0 { fileVotes[own.file, default: 0] += 1 }
        }
        // Line 0 (compiler-generated: retains, releases, spills) belongs to
        // the line before it, as `llvm-objdump -l` shows it.
        var previous = 0
        for i in instructions.indices {
            if instructions[i].line == 0 { instructions[i].line = previous } else { previous = instructions[i].line }
        }
        let sourceFile = file ?? fileVotes.max { $0.value < $1.value }?.key ?? "??"
        let names = Symbolizer.demangle(instructions.compactMap(\.target))
        // Trap blocks: conditional branches to ud2/brk are the checks.
        let traps = Set(instructions.filter { $0.mnemonic == "ud2" || $0.mnemonic == "brk" }.map(\.address))
        for i in instructions.indices {
            let ins = instructions[i]
            if ins.mnemonic.hasPrefix("j") && ins.mnemonic != "jmp", let t = ins.targetAddress, traps.contains(t) {
                instructions[i].kind = .trapCheck
            } else if ins.mnemonic.hasPrefix("call") || ins.mnemonic == "jmp" || ins.mnemonic == "bl" || ins.mnemonic == "b" {
                // A jump inside this function is control flow, not a call.
                if let t = ins.target, !(t == symbol.name && !ins.mnemonic.hasPrefix("call")) {
                    instructions[i].kind = CostKind.of(callTo: t)
                } else if ins.operands.hasPrefix("*") && ins.mnemonic.hasPrefix("call") {
                    instructions[i].kind = .indirect
                }
            }
            instructions[i].packedSIMD = isPackedArithmetic(ins.mnemonic, ins.operands)
        }
        // Loops: a backward branch closes one.
        var loops: [(lines: ClosedRange<Int>, vectorised: Bool)] = []
        var vectorLines = Set<Int>(), loopLines = Set<Int>()
        for ins in instructions where ins.mnemonic.hasPrefix("j") {
            guard let t = ins.targetAddress, t <= ins.address, t >= symbol.address else { continue }
            let body = instructions.filter { $0.address >= t && $0.address <= ins.address }
            let lines = body.map(\.line).filter { $0 > 0 }
            guard let lo = lines.min(), let hi = lines.max() else { continue }
            let vectorised = body.contains { $0.packedSIMD }
            loops.append((lo...hi, vectorised))
            for l in lines { loopLines.insert(l); if vectorised { vectorLines.insert(l) } }
        }
        // Source lines: the function's body (or the range).
        let source = readTextFile(sourceFile).map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) } ?? []
        let used = instructions.map(\.line).filter { $0 > 0 }
        var numbers: [Int]
        if let lineRange { numbers = Array(lineRange) }
        else if let lo = used.min(), let hi = used.max() {
            let start = (frames[symbol.address]?.last?.startLine).flatMap { $0 > 0 ? $0 : nil } ?? lo
            let end = source.isEmpty ? hi : max(hi, SampleProfile.functionEnd(source, from: start))
            numbers = Array(min(start, lo)...end)
        } else { numbers = [] }
        var byLine: [Int: AnnotatedLine] = [:]
        for n in numbers { byLine[n] = AnnotatedLine(number: n, source: n - 1 < source.count && n >= 1 ? source[n - 1] : "") }
        for ins in instructions {
            guard var l = byLine[ins.line] else { continue }
            l.instructions.append(ins)
            if let k = ins.kind {
                l.counts[k, default: 0] += 1
                if k == .call, let t = ins.target { l.calls[names[t] ?? t, default: 0] += 1 }
            }
            if ins.packedSIMD { l.packedOps += 1 }
            byLine[ins.line] = l
        }
        for n in numbers { byLine[n]!.inVectorLoop = vectorLines.contains(n); byLine[n]!.inLoop = loopLines.contains(n) }
        let demangled = symbol.demangled
        if let profile {
            // The profile's name for this function (its linkage name is the same binary's).
            let match = profile.frames.first { $0.linkageName == symbol.name }?.function ?? demangled
            let weights = profile.lineWeights(function: match)
            let total = max(1, weights.values.reduce(0, +))
            for (n, w) in weights where byLine[n] != nil {
                byLine[n]!.sampledWeight = w
                byLine[n]!.sampledPercent = Double(w) * 100 / Double(total)
            }
        }
        if let lineRange { loops = loops.filter { $0.lines.overlaps(lineRange) } }
        return Annotation(function: demangled, linkageName: symbol.name, file: sourceFile,
                          lines: numbers.map { byLine[$0]! }, loops: loops, profiled: profile != nil)
    }

    /// `  3920:      \ttestq\t%rsi, %rsi` and `callq\t0x3c5ab0 <swift_retain@plt>`.
    static func parseDisassembly(_ text: String) -> [Instruction] {
        var out: [Instruction] = []
        for raw in text.split(separator: "\n") {
            let line = raw.drop { $0 == " " }
            guard let colon = line.firstIndex(of: ":"), let address = UInt64(line[..<colon], radix: 16) else { continue }
            let rest = line[line.index(after: colon)...].split(separator: "\t", omittingEmptySubsequences: true)
                .map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
            guard let mnemonic = rest.first else { continue }
            var operands = rest.count > 1 ? rest[1...].joined(separator: " ") : ""
            if let hash = operands.firstIndex(of: "#") { operands = String(operands[..<hash]).trimmingSpaces() }
            var ins = Instruction(address: address, mnemonic: mnemonic, operands: operands)
            if let open = operands.firstIndex(of: "<"), let close = operands.lastIndex(of: ">"), open < close {
                var t = String(operands[operands.index(after: open)..<close])
                if t.hasSuffix("@plt") { t.removeLast(4) }
                ins.target = t
                let addressText = operands[..<open].trimmingSpaces()
                ins.targetAddress = UInt64(addressText.hasPrefix("0x") ? String(addressText.dropFirst(2)) : addressText, radix: 16)
                if let plus = t.lastIndex(of: "+"), t[plus...].hasPrefix("+0x") { ins.target = String(t[..<plus]) }
            }
            out.append(ins)
        }
        return out
    }

    /// Whether an instruction is packed (vector) arithmetic: SSE/AVX
    /// `…pd`/`…ps` arithmetic, packed integer arithmetic, or anything on
    /// ymm/zmm registers except moves; NEON arithmetic on `.2d`/`.4s` lanes.
    static func isPackedArithmetic(_ mnemonic: String, _ operands: String) -> Bool {
        var m = mnemonic
        if m.hasPrefix("v") { m.removeFirst() }
        let floatOps = ["add", "sub", "mul", "div", "sqrt", "min", "max", "fmadd", "fmsub", "fnmadd", "fnmsub", "hadd", "dp", "rcp", "rsqrt", "cmp"]
        if m.hasSuffix("pd") || m.hasSuffix("ps") {
            let stem = String(m.dropLast(2))
            if floatOps.contains(where: { stem.hasPrefix($0) }) { return true }
        }
        let intOps = ["padd", "psub", "pmull", "pmuldq", "pmuludq", "pmadd", "pcmp", "pmax", "pmin", "psll", "psrl", "psra"]
        if intOps.contains(where: { m.hasPrefix($0) }) && (operands.contains("xmm") || operands.contains("ymm") || operands.contains("zmm")) { return true }
        if (operands.contains(".2d") || operands.contains(".4s") || operands.contains(".8h") || operands.contains(".16b"))
            && ["fadd", "fmul", "fsub", "fdiv", "fmla", "add", "mul", "sub", "fmax", "fmin"].contains(mnemonic) { return true }
        return false
    }
}
