// Test program for the sampling profiler (`celer lprof run`) and for
// `celer annotate`. Built optimised (-O, with debug info) so its machine code
// looks like a user's release build. Each mode prints one result line.
//
//   split SECONDS    two threads, each SECONDS of CPU; 70 % of the work on
//                    the line marked LINE_A of splitLoop, 30 % on LINE_B
//   arc ROUNDS       a linked-list walk that retains and releases per node
//   tuned N          x += a*y over N doubles: no runtime calls, vectorised
//   fork             forks a child that works and exits, then works itself
//   exec             works, then execs /bin/true
//   signals          installs its own SIGINT/SIGUSR1/SIGSEGV handlers, raises SIGUSR1
//   exit-thread      a worker calls exit(0) while the main thread is busy
#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds used by the calling thread.
func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// `n` steps of a 64-bit LCG: about the same cost per step everywhere.
@inline(never)
func spin(_ x: UInt64, _ n: Int) -> UInt64 {
    var x = x
    for _ in 0..<n { x = x &* 6364136223846793005 &+ 1442695040888963407 }
    return x
}

/// Spins for `seconds` of this thread's CPU time.
@inline(never)
func burn(_ seconds: Double, _ seed: UInt64 = 3) -> UInt64 {
    var x = seed
    let start = threadCPU()
    while threadCPU() - start < seconds { x = spin(x, 10_000) }
    return x
}

@inline(never)
func splitLoop(seconds: Double) -> UInt64 {
    var a: UInt64 = 1, b: UInt64 = 2
    let start = threadCPU()
    while threadCPU() - start < seconds {
        for _ in 0..<100 {
            a = spin(a, 7000)  // LINE_A
            b = spin(b, 3000)  // LINE_B
        }
    }
    return a ^ b
}

final class Node {
    var value: Double
    var next: Node?
    init(_ value: Double, _ next: Node?) { self.value = value; self.next = next }
}

nonisolated(unsafe) var lastSeen: Node? = nil

@inline(never)
func arcHeavy(_ head: Node, rounds: Int) -> Double {
    var total = 0.0
    for _ in 0..<rounds {
        var node: Node? = head
        while let n = node {
            total += n.value
            lastSeen = n
            node = n.next
        }
    }
    return total
}

@inline(never)
func tunedKernel(_ x: UnsafeMutableBufferPointer<Double>, _ y: UnsafeBufferPointer<Double>, _ a: Double) {
    for i in 0..<x.count {
        x[i] += a * y[i]
    }
}

/// Runs `body` on a new pthread.
func startThread(_ body: @escaping () -> Void) -> pthread_t {
    final class Box { let body: () -> Void; init(_ b: @escaping () -> Void) { body = b } }
    var t = pthread_t()
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    pthread_create(&t, nil, { p in
        let box = Unmanaged<Box>.fromOpaque(p!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    return t
}

let args = CommandLine.arguments
let mode = args.count > 1 ? args[1] : "split"
let number = args.count > 2 ? Double(args[2]) ?? 1 : 1

switch mode {
case "split":
    nonisolated(unsafe) var results: [UInt64] = [0, 0]
    let threads = (0..<2).map { i in startThread { results[i] = splitLoop(seconds: number) } }
    for t in threads { pthread_join(t, nil) }
    print("split \(results[0] ^ results[1])")
case "arc":
    var head: Node? = nil
    for i in 0..<1000 { head = Node(Double(i), head) }
    print("arc \(arcHeavy(head!, rounds: Int(number)))")
case "tuned":
    let n = Int(number)
    let x = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    let y = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
    for i in 0..<n { x[i] = 1; y[i] = Double(i) }
    for _ in 0..<100 { tunedKernel(x, UnsafeBufferPointer(y), 0.5) }
    print("tuned \(x[n - 1])")
case "fork":
    let pid = fork()
    if pid == 0 { print("child \(burn(0.2))"); exit(0) }
    var status: Int32 = 0
    print("parent \(burn(0.3))")
    waitpid(pid, &status, 0)
    print("fork child status \(status)")
case "exec":
    print("before exec \(burn(0.3))")
    let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
    execv("/bin/true", argv)
    print("exec failed")
case "signals":
    var sa = sigaction()
    sa.__sigaction_handler.sa_handler = { _ in }
    for s in [SIGINT, SIGUSR1, SIGSEGV] { sigaction(s, &sa, nil) }
    var x: UInt64 = 1
    for _ in 0..<5 { x = burn(0.06, x); raise(SIGUSR1) }
    print("signals \(x)")
case "exit-thread":
    _ = startThread {
        print("worker \(burn(0.3))")
        exit(0)
    }
    var x: UInt64 = 1
    while true { x = spin(x, 1_000_000) }
default:
    print("unknown mode \(mode)")
    exit(2)
}
