import Testing
@testable import CelerGPU

// CPU-only tests of the pieces under the GPU layer: the hash behind the
// kernel cache and the packing of kernel arguments.

@Suite struct SHA256Tests {
    @Test func standardVectors() {
        #expect(SHA256.hex(SHA256.hash([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks (FIPS 180-4 example).
        #expect(SHA256.hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // A million 'a's: many blocks.
        #expect(SHA256.hex(SHA256.hash([UInt8](repeating: 0x61, count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        h.update(bytes[0..<63]); h.update(bytes[63..<64]); h.update(bytes[64...])
        #expect(h.finalize() == SHA256.hash(bytes))
        // Contiguous updates that start with bytes pending, and strings.
        for split in [1, 10, 63, 64, 65, 130, 999] {
            var g = SHA256()
            g.update(Array(bytes[0..<split])); g.update(Array(bytes[split...]))
            #expect(g.finalize() == SHA256.hash(bytes), "split at \(split)")
        }
        var t = SHA256()
        t.update("ab"); t.update("c")
        #expect(SHA256.hex(t.finalize()) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

@Suite struct KernelArgumentTests {
    /// The packed buffer is the C struct of the parameters: each value at its
    /// natural alignment, no padding after the last one.
    @Test func layoutFollowsCAlignment() {
        var args = KernelArguments()
        args.append(Int32(-7))              // int        @ 0
        args.append(3.5)                    // double     @ 8
        args.append(DevicePointer(0x1234_5678_9abc))  // pointer @ 16
        args.append(Float(1.25))            // float      @ 24
        args.append(UInt8(200))             // uchar      @ 28
        args.append(Int16(-2))              // short      @ 30
        args.append(true)                   // bool       @ 32
        args.append(Int(1 << 40))           // long long  @ 40
        #expect(args.offsets == [0, 8, 16, 24, 28, 30, 32, 40])
        #expect(args.size == 48)
        let b = args.bytes
        #expect(b.count == 48)
        func load<T>(_ offset: Int, _: T.Type) -> T {
            b.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: T.self) }
        }
        #expect(load(0, Int32.self) == -7)
        #expect(load(8, Double.self) == 3.5)
        #expect(load(16, UInt64.self) == 0x1234_5678_9abc)
        #expect(load(24, Float.self) == 1.25)
        #expect(load(28, UInt8.self) == 200)
        #expect(load(30, Int16.self) == -2)
        #expect(load(32, UInt8.self) == 1)
        #expect(load(40, Int64.self) == 1 << 40)
        // Padding bytes are zero (deterministic buffers).
        #expect(b[4..<8].allSatisfy { $0 == 0 } && b[33..<40].allSatisfy { $0 == 0 })
    }

    /// `kernelParams` holds one pointer per argument, each at its value.
    @Test func parameterPointersPointAtTheValues() {
        let args = KernelArguments([Int32(11), 2.0, UInt8(3), Int64(-4)])
        let values: [String] = args.withParameterPointers { params in
            guard let params else { return [] }
            return [String(params[0]!.load(as: Int32.self)), String(params[1]!.load(as: Double.self)),
                    String(params[2]!.load(as: UInt8.self)), String(params[3]!.load(as: Int64.self))]
        }
        #expect(values == ["11", "2.0", "3", "-4"])
        let gaps: [Int] = args.withParameterPointers { params in
            (1..<4).map { params![$0]! - params![0]! }
        }
        #expect(gaps == [8, 16, 24])
        #expect(KernelArguments().withParameterPointers { $0 == nil })
    }

    @Test func elementTypesHaveCNames() {
        #expect(Double.cudaTypeName == "double" && Float.cudaTypeName == "float")
        #expect(Int64.cudaTypeName == "long long" && Int32.cudaTypeName == "int")
        #expect(UInt8.cudaTypeName == "unsigned char" && Bool.cudaTypeName == "bool")
        #expect(MemoryLayout<Bool>.size == 1)
    }
}
