import CelerCore
import CZlib

/// A minimal PNG encoder for 8-bit RGB images (what `celer render` writes):
/// signature, IHDR, the zlib-compressed scanlines in IDAT chunks, IEND.
/// Each scanline is stored with filter type 0 (none); zlib does the rest.
public enum PNG {
    /// The 8 bytes every PNG file starts with.
    public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
    /// Largest IDAT chunk written; bigger images use several.
    public static let maxChunkLength = 1 << 20

    /// The PNG file of a `width`×`height` image whose pixels are `rgb`:
    /// row-major, top row first, three bytes (red, green, blue) per pixel.
    /// `level` is zlib's compression level, 0 (none) to 9 (smallest).
    public static func encode(width: Int, height: Int, rgb: [UInt8], level: Int32 = 6) -> [UInt8] {
        precondition(width >= 1 && height >= 1 && width <= Int(Int32.max) && height <= Int(Int32.max),
                     "PNG dimensions must be 1...\(Int32.max)")
        precondition(rgb.count == width * height * 3, "expected \(width * height * 3) RGB bytes, got \(rgb.count)")
        precondition((0...9).contains(level), "zlib level must be 0...9")

        var out = signature
        var header: [UInt8] = []
        header += bigEndian(UInt32(width))
        header += bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]  // 8 bits per sample, RGB, deflate, filter method 0, no interlace
        appendChunk("IHDR", header, to: &out)

        let compressed = deflate(scanlines(width: width, height: height, rgb: rgb), level: level)
        var start = 0
        repeat {
            let end = min(start + maxChunkLength, compressed.count)
            appendChunk("IDAT", compressed[start..<end], to: &out)
            start = end
        } while start < compressed.count
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Encodes the image and writes it to `path` atomically.
    public static func write(width: Int, height: Int, rgb: [UInt8], to path: String, level: Int32 = 6) throws(CelerError) {
        try AtomicFile.write(encode(width: width, height: height, rgb: rgb, level: level), to: path)
    }

    /// The raw image data PNG compresses: each row prefixed by its filter
    /// type byte (0, none).
    static func scanlines(width: Int, height: Int, rgb: [UInt8]) -> [UInt8] {
        let rowBytes = width * 3
        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        raw.withUnsafeMutableBufferPointer { dst in
            rgb.withUnsafeBufferPointer { src in
                for row in 0..<height {
                    let to = dst.baseAddress! + row * (rowBytes + 1) + 1
                    to.update(from: src.baseAddress! + row * rowBytes, count: rowBytes)
                }
            }
        }
        return raw
    }

    /// A zlib stream (RFC 1950) of `data`.
    static func deflate(_ data: [UInt8], level: Int32) -> [UInt8] {
        var length = compressBound(uLong(data.count))
        var out = [UInt8](repeating: 0, count: Int(length))
        let status = out.withUnsafeMutableBufferPointer { dst in
            data.withUnsafeBufferPointer { src in
                compress2(dst.baseAddress, &length, src.baseAddress, uLong(src.count), level)
            }
        }
        // compress2 fails only without memory or with a bad level (checked above).
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        out.removeLast(out.count - Int(length))
        return out
    }

    /// Appends one chunk: length, type, data, CRC-32 of type and data.
    static func appendChunk<D: Collection>(_ type: String, _ data: D, to out: inout [UInt8]) where D.Element == UInt8 {
        let typeBytes = Array(type.utf8)
        precondition(typeBytes.count == 4, "PNG chunk types have 4 letters")
        let body = typeBytes + data
        out += bigEndian(UInt32(data.count))
        out += body
        out += bigEndian(crc(body))
    }

    /// zlib's CRC-32, the checksum PNG chunks use.
    public static func crc<D: Collection>(_ bytes: D) -> UInt32 where D.Element == UInt8 {
        let array = Array(bytes)
        let value = array.withUnsafeBufferPointer { crc32(0, $0.baseAddress, uInt($0.count)) }
        return UInt32(truncatingIfNeeded: value)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }
}
