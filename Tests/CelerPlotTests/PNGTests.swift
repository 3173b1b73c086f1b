import Testing
import CZlib
import Glibc
import CelerCore
@testable import CelerPlot

/// A PNG file taken apart: its chunks in order, each with a checked CRC.
struct DecodedPNG {
    var chunks: [(type: String, data: [UInt8])] = []
    var width = 0, height = 0
    var header: [UInt8] = []
    /// The inflated IDAT stream: per row, a filter byte and the row's bytes.
    var raw: [UInt8] = []

    init(_ file: [UInt8]) throws {
        #expect(Array(file.prefix(8)) == [137, 80, 78, 71, 13, 10, 26, 10], "signature")
        var at = 8
        func u32(_ k: Int) -> Int { Int(file[k]) << 24 | Int(file[k + 1]) << 16 | Int(file[k + 2]) << 8 | Int(file[k + 3]) }
        while at < file.count {
            try #require(at + 12 <= file.count, "truncated chunk")
            let length = u32(at)
            let typeAndData = Array(file[(at + 4)..<(at + 8 + length)])
            let stored = UInt32(u32(at + 8 + length))
            let computed = typeAndData.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
            #expect(stored == computed, "CRC of chunk at \(at)")
            chunks.append((String(decoding: typeAndData.prefix(4), as: UTF8.self), Array(typeAndData.dropFirst(4))))
            at += 12 + length
        }
        #expect(at == file.count)
        let ihdr = try #require(chunks.first)
        #expect(ihdr.type == "IHDR" && ihdr.data.count == 13)
        width = Int(ihdr.data[0]) << 24 | Int(ihdr.data[1]) << 16 | Int(ihdr.data[2]) << 8 | Int(ihdr.data[3])
        height = Int(ihdr.data[4]) << 24 | Int(ihdr.data[5]) << 16 | Int(ihdr.data[6]) << 8 | Int(ihdr.data[7])
        header = Array(ihdr.data[8...])
        #expect(chunks.last?.type == "IEND" && chunks.last?.data.isEmpty == true)
        let stream = chunks.filter { $0.type == "IDAT" }.flatMap(\.data)
        var length = uLong(height * (width * 3 + 1))
        raw = [UInt8](repeating: 0, count: Int(length))
        let status = raw.withUnsafeMutableBufferPointer { dst in
            stream.withUnsafeBufferPointer { uncompress(dst.baseAddress, &length, $0.baseAddress, uLong($0.count)) }
        }
        #expect(status == Z_OK, "inflate status \(status)")
        #expect(Int(length) == raw.count)
    }

    /// The RGB bytes, checking that every row has filter type 0.
    func pixels() -> [UInt8] {
        var out: [UInt8] = []
        let rowBytes = width * 3
        for row in 0..<height {
            #expect(raw[row * (rowBytes + 1)] == 0, "filter byte of row \(row)")
            out += raw[(row * (rowBytes + 1) + 1)..<((row + 1) * (rowBytes + 1))]
        }
        return out
    }
}

@Suite struct PNGTests {
    func image(_ width: Int, _ height: Int) -> [UInt8] {
        let noise = SplitMix64(seed: 7)
        return (0..<(width * height * 3)).map { k in
            // Half smooth gradient, half noise, so compression has work to do.
            k % 2 == 0 ? UInt8(truncatingIfNeeded: k / 3) : UInt8(noise.uniform(k) * 256)
        }
    }

    @Test(arguments: [(1, 1), (3, 2), (17, 5), (1, 31), (64, 64)])
    func roundTripsThroughZlib(size: (Int, Int)) throws {
        let rgb = image(size.0, size.1)
        let decoded = try DecodedPNG(PNG.encode(width: size.0, height: size.1, rgb: rgb))
        #expect(decoded.chunks.map(\.type) == ["IHDR", "IDAT", "IEND"])
        #expect(decoded.width == size.0 && decoded.height == size.1)
        #expect(decoded.header == [8, 2, 0, 0, 0])
        #expect(decoded.pixels() == rgb)
    }

    @Test func largeImagesSplitIntoSeveralIDATChunks() throws {
        // Stored without compression, 700×600 RGB is 1.26 MB: two IDAT chunks.
        let rgb = image(700, 600)
        let file = PNG.encode(width: 700, height: 600, rgb: rgb, level: 0)
        let decoded = try DecodedPNG(file)
        #expect(decoded.chunks.filter { $0.type == "IDAT" }.count == 2)
        #expect(decoded.chunks.filter { $0.type == "IDAT" }.allSatisfy { $0.data.count <= PNG.maxChunkLength })
        #expect(decoded.pixels() == rgb)
    }

    @Test func knownCRC() {
        // The CRC-32 of "IEND" with no data, as every PNG ends.
        #expect(PNG.crc(Array("IEND".utf8)) == 0xAE42_6082)
    }

    @Test func writesAtomically() throws {
        let path = "/tmp/celer-png-test-\(getpid())-\(monotonicNanos()).png"
        defer { unlink(path) }
        let rgb = image(5, 4)
        try PNG.write(width: 5, height: 4, rgb: rgb, to: path)
        let back = try #require(readBytes(path))
        #expect(try DecodedPNG(back).pixels() == rgb)
        #expect(throws: CelerError.self) { try PNG.write(width: 5, height: 4, rgb: rgb, to: "/nonexistent-dir/x.png") }
    }

    func readBytes(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while case let n = fread(&chunk, 1, chunk.count, f), n > 0 { bytes += chunk[0..<n] }
        return bytes
    }
}

@Suite struct ColorMapTests {
    @Test func endpointsAndClamping() throws {
        let viridis = try ColorMap.named("viridis")
        #expect(viridis.rgb(0) == (68, 1, 84))
        #expect(viridis.rgb(1) == (253, 231, 37))
        #expect(viridis.rgb(-5) == viridis.rgb(0))
        #expect(viridis.rgb(7) == viridis.rgb(1))
        #expect(viridis.rgb(.nan) == viridis.rgb(0))
        let gray = try ColorMap.named("GRAY")
        #expect(gray.rgb(0.5) == (128, 128, 128))
        #expect(gray.rgb(0.25) == (64, 64, 64))
    }

    @Test func everyMapIsContinuous() {
        for map in ColorMap.all {
            var previous = map.rgb(0)
            for k in 1...1000 {
                let c = map.rgb(Double(k) / 1000)
                let jump = max(abs(Int(c.red) - Int(previous.red)), abs(Int(c.green) - Int(previous.green)),
                               abs(Int(c.blue) - Int(previous.blue)))
                #expect(jump <= 8, "\(map.name) jumps at \(k)")
                previous = c
            }
        }
    }

    @Test func unknownNamesListTheChoices() {
        do {
            _ = try ColorMap.named("rainbow")
            Issue.record("expected an error")
        } catch {
            #expect(error.subject == "--colormap")
            #expect(error.message.contains("viridis, magma, classic, gray"))
        }
    }
}
