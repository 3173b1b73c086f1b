import CelerCore
import CelerHarness

// The whole-array rungs of the sieve ladder: one flag per number (naive), one
// byte per odd number (bytes), one bit per odd number (bits). Each needs
// memory proportional to N. Sieving (crossing off) is kept apart from
// reading the result (collecting primes into an array, or counting them).

/// The tutorials' sieve: a `Bool` per number 0...N, multiples of each prime
/// crossed off from p² in a `while` loop, then the primes collected.
enum NaiveSieve {
    /// Flags for 0...limit, `true` where the number is prime.
    static func sieve(limit: Int) -> [Bool] {
        var isPrime = [Bool](repeating: true, count: limit + 1)
        isPrime[0] = false
        if limit >= 1 { isPrime[1] = false }
        var i = 2
        while i * i <= limit {
            if isPrime[i] {
                var j = i * i
                while j <= limit {
                    isPrime[j] = false
                    j += i
                }
            }
            i += 1
        }
        return isPrime
    }

    /// Writes the primes flagged in `isPrime` to `out`, ascending; returns how many.
    static func collect(_ isPrime: [Bool], into out: UnsafeMutablePointer<Int64>) -> Int {
        var n = 0
        for (i, flag) in isPrime.enumerated() where flag {
            out[n] = Int64(i)
            n += 1
        }
        return n
    }

    static func count(_ isPrime: [Bool]) -> Int {
        var n = 0
        for flag in isPrime where flag { n += 1 }
        return n
    }
}

/// Odd-only byte flags: index i stands for 2i+1. Half the memory of the
/// naive sieve, and tight pointer loops without bounds checks.
enum OddByteSieve {
    /// Flags needed for odd numbers 1...limit.
    static func flagCount(limit: Int) -> Int { limit >= 1 ? (limit - 1) / 2 + 1 : 0 }

    /// Sets `flags[i]` (i < count) to 1 where 2i+1 is prime, else 0.
    static func sieve(_ flags: UnsafeMutablePointer<UInt8>, count: Int) {
        guard count > 0 else { return }
        flags.initialize(repeating: 1, count: count)
        flags[0] = 0  // 1 is not prime
        var i = 1
        while true {
            let p = 2 * i + 1
            var j = p * p / 2  // index of p², the first multiple not crossed off by a smaller prime
            if j >= count { break }
            if flags[i] != 0 {
                while j < count {
                    flags[j] = 0
                    j += p  // next odd multiple: 2p further, p indices
                }
            }
            i += 1
        }
    }

    /// Writes 2 (if ≤ limit) and the flagged odd primes to `out`; returns how many.
    static func collect(_ flags: UnsafeMutablePointer<UInt8>, count: Int, limit: Int,
                        into out: UnsafeMutablePointer<Int64>) -> Int {
        var n = 0
        if limit >= 2 { out[0] = 2; n = 1 }
        var i = 0
        // Skip eight zero flags at a time: most flags are zero.
        let raw = UnsafeRawPointer(flags)
        while i + 8 <= count {
            if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) != 0 {
                for j in i..<(i + 8) where flags[j] != 0 {
                    out[n] = Int64(2 * j + 1)
                    n += 1
                }
            }
            i += 8
        }
        while i < count {
            if flags[i] != 0 { out[n] = Int64(2 * i + 1); n += 1 }
            i += 1
        }
        return n
    }

    static func count(_ flags: UnsafeMutablePointer<UInt8>, count: Int, limit: Int) -> Int {
        var n = limit >= 2 ? 1 : 0
        for i in 0..<count { n += Int(flags[i]) }
        return n
    }

    /// The primes ≤ limit (a helper for the faster sieves' sieving primes).
    static func primes(upTo limit: Int) -> [Int] {
        let count = flagCount(limit: limit)
        let flags = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
        defer { flags.deallocate() }
        sieve(flags, count: count)
        var result: [Int] = limit >= 2 ? [2] : []
        for i in 0..<count where flags[i] != 0 { result.append(2 * i + 1) }
        return result
    }
}

/// Odd-only bit sieve: bit i of the word array stands for 2i+1, so N/16
/// bytes in all; primes are read out of each word with trailing-zero counts.
enum OddBitSieve {
    static func wordCount(limit: Int) -> Int { (OddByteSieve.flagCount(limit: limit) + 63) / 64 }

    /// Sets bit i (i < the flag count) where 2i+1 is prime; bits past the limit are 0.
    static func sieve(_ words: UnsafeMutablePointer<UInt64>, limit: Int) {
        let count = OddByteSieve.flagCount(limit: limit)
        let nWords = (count + 63) / 64
        guard nWords > 0 else { return }
        words.initialize(repeating: ~0, count: nWords)
        let tail = count & 63
        if tail != 0 { words[nWords - 1] = (1 << UInt64(tail)) - 1 }
        words[0] &= ~1  // 1 is not prime
        var i = 1
        while true {
            let p = 2 * i + 1
            var j = p * p / 2
            if j >= count { break }
            if words[i >> 6] & (1 << UInt64(i & 63)) != 0 {
                while j < count {
                    words[j >> 6] &= ~(1 << UInt64(j & 63))
                    j += p
                }
            }
            i += 1
        }
    }

    static func collect(_ words: UnsafeMutablePointer<UInt64>, limit: Int,
                        into out: UnsafeMutablePointer<Int64>) -> Int {
        var n = 0
        if limit >= 2 { out[0] = 2; n = 1 }
        for w in 0..<wordCount(limit: limit) {
            var bits = words[w]
            let base = Int64(128 * w + 1)
            while bits != 0 {
                out[n] = base + 2 * Int64(bits.trailingZeroBitCount)
                n += 1
                bits &= bits &- 1
            }
        }
        return n
    }

    static func count(_ words: UnsafeMutablePointer<UInt64>, limit: Int) -> Int {
        var n = limit >= 2 ? 1 : 0
        for w in 0..<wordCount(limit: limit) { n += words[w].nonzeroBitCount }
        return n
    }
}
