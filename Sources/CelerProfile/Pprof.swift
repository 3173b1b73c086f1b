import CelerCore
import CZlib

// pprof's profile.proto (github.com/google/pprof, proto/profile.proto),
// encoded by hand and gzipped: what `go tool pprof` and `pprof -http` read.
// Each Location keeps all its Line entries, innermost inlined function
// first, so inlined frames keep their source lines.

/// Protocol-buffer wire format: varints and length-delimited fields.
struct ProtoWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7f) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    mutating func field(_ number: Int, _ v: UInt64) {
        guard v != 0 else { return }
        varint(UInt64(number << 3)); varint(v)
    }
    mutating func field(_ number: Int, int v: Int) { field(number, UInt64(bitPattern: Int64(v))) }
    mutating func message(_ number: Int, _ body: ProtoWriter) {
        varint(UInt64(number << 3 | 2)); varint(UInt64(body.bytes.count)); bytes += body.bytes
    }
    mutating func packed(_ number: Int, _ values: [UInt64]) {
        var body = ProtoWriter()
        for v in values { body.varint(v) }
        message(number, body)
    }
}

extension SampleProfile {
    /// The profile as an uncompressed pprof `Profile` message. Sample
    /// values: [samples, cpu nanoseconds]; a label `thread` per sample, and
    /// `span` when the span profiler labelled it.
    public func pprofMessage() -> [UInt8] {
        var strings: [String] = [""]
        var stringIndex: [String: Int] = ["": 0]
        func str(_ s: String) -> UInt64 {
            if let i = stringIndex[s] { return UInt64(i) }
            strings.append(s); stringIndex[s] = strings.count - 1
            return UInt64(strings.count - 1)
        }
        var p = ProtoWriter()
        func valueType(_ type: String, _ unit: String) -> ProtoWriter {
            var v = ProtoWriter(); v.field(1, str(type)); v.field(2, str(unit)); return v
        }
        p.message(1, valueType("samples", "count"))
        p.message(1, valueType("cpu", "nanoseconds"))
        for s in samples {
            var m = ProtoWriter()
            m.packed(1, s.stack.map { UInt64($0 + 1) })
            m.packed(2, [UInt64(s.weight), UInt64(s.weight * intervalNanos)])
            var thread = ProtoWriter(); thread.field(1, str("thread")); thread.field(3, str(threads[s.thread].map { "\(s.thread) \($0)" } ?? "\(s.thread)"))
            m.message(3, thread)
            if let span = labels[s.label] {
                var l = ProtoWriter(); l.field(1, str("span")); l.field(3, str(span)); m.message(3, l)
            }
            p.message(2, m)
        }
        for (i, path) in modules.enumerated() {
            var m = ProtoWriter()
            m.field(1, UInt64(i + 1)); m.field(2, 0); m.field(3, UInt64.max >> 1); m.field(5, str(path))
            m.field(7, 1); m.field(8, 1)  // has_functions, has_filenames
            p.message(3, m)
        }
        // Functions: one per (name, file, start line).
        var functionIDs: [String: Int] = [:]
        var functionMessages: [ProtoWriter] = []
        func functionID(_ f: SourceFrame) -> UInt64 {
            let key = "\(f.function)\u{0}\(f.file)\u{0}\(f.startLine)"
            if let id = functionIDs[key] { return UInt64(id) }
            var m = ProtoWriter()
            let id = functionMessages.count + 1
            m.field(1, UInt64(id)); m.field(2, str(f.function)); m.field(3, str(f.linkageName.isEmpty ? f.function : f.linkageName))
            m.field(4, str(f.file)); m.field(5, int: f.startLine)
            functionMessages.append(m)
            functionIDs[key] = id
            return UInt64(id)
        }
        for (i, loc) in locations.enumerated() {
            var m = ProtoWriter()
            m.field(1, UInt64(i + 1)); m.field(2, UInt64(loc.module + 1)); m.field(3, loc.address)
            for f in loc.frames {
                var line = ProtoWriter(); line.field(1, functionID(frames[f])); line.field(2, int: frames[f].line)
                m.message(4, line)
            }
            p.message(4, m)
        }
        for m in functionMessages { p.message(5, m) }
        let periodType = valueType("cpu", "nanoseconds")
        // The string table must hold every string used above, so it goes last.
        for s in strings {
            var utf8 = ProtoWriter(); utf8.bytes = Array(s.utf8)
            p.varint(UInt64(6 << 3 | 2)); p.varint(UInt64(utf8.bytes.count)); p.bytes += utf8.bytes
        }
        p.field(10, int: totalWeight * intervalNanos)  // duration_nanos: CPU time sampled
        p.message(11, periodType)
        p.field(12, int: intervalNanos)
        return p.bytes
    }

    /// pprof's file: the message, gzipped.
    public func pprofGzip() -> [UInt8] { gzip(pprofMessage()) }
}

/// A gzip member (RFC 1952) around zlib's deflate stream of `data`.
func gzip(_ data: [UInt8]) -> [UInt8] {
    var length = compressBound(uLong(data.count))
    var z = [UInt8](repeating: 0, count: Int(length))
    let status = z.withUnsafeMutableBufferPointer { dst in
        data.withUnsafeBufferPointer { src in compress2(dst.baseAddress, &length, src.baseAddress, uLong(src.count), 6) }
    }
    precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
    // A zlib stream is a 2-byte header, the raw deflate data, and an Adler-32.
    let deflated = z[2..<Int(length) - 4]
    let crc = UInt32(truncatingIfNeeded: data.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) })
    func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
    return [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3] + deflated + le(crc) + le(UInt32(truncatingIfNeeded: data.count))
}
