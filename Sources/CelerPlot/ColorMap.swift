import CelerCore

/// A colour map: t in [0, 1] → an 8-bit RGB colour, interpolated linearly
/// between stops. `viridis` and `magma` follow the perceptually uniform maps
/// of matplotlib (sampled at ninths), `classic` is the blue-white-gold
/// palette common in fractal renderers, `gray` runs black to white.
public struct ColorMap: Sendable {
    /// A colour at a position; positions rise from 0 to 1.
    public struct Stop: Sendable {
        public let position: Double
        public let red: Double, green: Double, blue: Double
        public init(_ position: Double, _ red: Double, _ green: Double, _ blue: Double) {
            self.position = position; self.red = red; self.green = green; self.blue = blue
        }
    }

    public let name: String
    public let stops: [Stop]

    public init(name: String, stops: [Stop]) {
        precondition(stops.count >= 2 && stops.first!.position == 0 && stops.last!.position == 1,
                     "a colour map needs stops at 0 and 1")
        self.name = name
        self.stops = stops
    }

    /// Evenly spaced stops from 0–255 RGB triples.
    init(name: String, evenly colors: [(Double, Double, Double)]) {
        let last = Double(colors.count - 1)
        self.init(name: name, stops: colors.enumerated().map { k, c in
            Stop(Double(k) / last, c.0, c.1, c.2)
        })
    }

    /// The colour at `t`, clamped to [0, 1] (NaN maps to 0).
    public func rgb(_ t: Double) -> (red: UInt8, green: UInt8, blue: UInt8) {
        let t = t.isNaN ? 0 : min(max(t, 0), 1)
        var k = 1
        while k < stops.count - 1 && stops[k].position < t { k += 1 }
        let a = stops[k - 1], b = stops[k]
        let span = b.position - a.position
        let f = span > 0 ? (t - a.position) / span : 0
        func mix(_ x: Double, _ y: Double) -> UInt8 { UInt8(min(max((x + (y - x) * f).rounded(), 0), 255)) }
        return (mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    public static let viridis = ColorMap(name: "viridis", evenly: [
        (68, 1, 84), (72, 40, 120), (62, 73, 137), (49, 104, 142), (38, 130, 142),
        (31, 158, 137), (53, 183, 121), (110, 206, 88), (253, 231, 37),
    ])
    public static let magma = ColorMap(name: "magma", evenly: [
        (0, 0, 4), (28, 16, 68), (79, 18, 123), (129, 37, 129), (181, 54, 122),
        (229, 80, 100), (251, 135, 97), (254, 194, 135), (252, 253, 191),
    ])
    public static let classic = ColorMap(name: "classic", stops: [
        Stop(0, 0, 7, 100), Stop(0.16, 32, 107, 203), Stop(0.42, 237, 255, 255),
        Stop(0.6425, 255, 170, 0), Stop(0.8575, 0, 2, 0), Stop(1, 0, 7, 100),
    ])
    public static let gray = ColorMap(name: "gray", evenly: [(0, 0, 0), (255, 255, 255)])

    /// Every map, by the name `--colormap` takes.
    public static let all: [ColorMap] = [viridis, magma, classic, gray]

    /// The map called `name`; the error lists the names there are.
    public static func named(_ name: String) throws(CelerError) -> ColorMap {
        guard let map = all.first(where: { $0.name == name.lowercased() }) else {
            throw CelerError.invalidOption("--colormap", name,
                                           allowed: "use one of " + all.map(\.name).joined(separator: ", "))
        }
        return map
    }
}
