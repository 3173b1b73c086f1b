import CelerCore

/// The string form: Python's expression grammar for what numexpr accepts.
///
///     comparison := bitor (('<' | '<=' | '>' | '>=' | '==' | '!=') bitor)?
///     bitor      := bitand ('|' bitand)*
///     bitand     := sum ('&' sum)*
///     sum        := product (('+' | '-') product)*
///     product    := unary (('*' | '/') unary)*
///     unary      := ('-' | '+' | '~') unary | power
///     power      := primary ('**' unary)?
///     primary    := number | name | name '(' arguments ')' | '(' comparison ')'
///
/// Functions: where, abs, sqrt, exp, log, sin, cos, pow, minimum, maximum;
/// reductions sum, min, max, any, all, count (`sum(x)`, `sum(x, axis=1)`);
/// casts float64, float32, int64, int32, uint8, bool. `-x**2` is `-(x**2)`,
/// as in Python. Integer literals are weak ints, others weak floats.
enum Parser {
    static func parse(_ text: String) throws(CelerError) -> Expr {
        var p = State(text: text)
        let e = try p.comparison()
        p.skipSpace()
        if p.i < p.chars.count { throw p.error("unexpected '\(p.chars[p.i])'") }
        return e
    }

    struct State {
        let text: String
        let chars: [Character]
        var i = 0
        init(text: String) { self.text = text; chars = Array(text) }

        func error(_ what: String, at position: Int? = nil) -> CelerError {
            let column = (position ?? i) + 1
            return CelerError("expression", "syntax error at column \(column) in \"\(text)\": \(what)")
        }

        mutating func skipSpace() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        /// Consumes `token` if it comes next (and is not the start of a longer operator).
        mutating func accept(_ token: String) -> Bool {
            skipSpace()
            let t = Array(token)
            guard i + t.count <= chars.count, Array(chars[i..<i + t.count]) == t else { return false }
            if token == "*" && i + 1 < chars.count && chars[i + 1] == "*" { return false }
            if (token == "<" || token == ">") && i + 1 < chars.count && chars[i + 1] == "=" { return false }
            i += t.count
            return true
        }

        mutating func expect(_ token: String) throws(CelerError) {
            if !accept(token) {
                throw error(i < chars.count ? "expected '\(token)', found '\(chars[i])'" : "expected '\(token)' at the end")
            }
        }

        mutating func comparison() throws(CelerError) -> Expr {
            let a = try bitor()
            for (token, op) in [("<=", BinaryOp.le), (">=", .ge), ("==", .eq), ("!=", .ne), ("<", .lt), (">", .gt)] where accept(token) {
                return Expr.bin(op, a, try bitor())
            }
            return a
        }

        mutating func bitor() throws(CelerError) -> Expr {
            var a = try bitand()
            while accept("|") { a = Expr.bin(.or, a, try bitand()) }
            return a
        }

        mutating func bitand() throws(CelerError) -> Expr {
            var a = try sum()
            while accept("&") { a = Expr.bin(.and, a, try sum()) }
            return a
        }

        mutating func sum() throws(CelerError) -> Expr {
            var a = try product()
            while true {
                if accept("+") { a = a + (try product()) }
                else if accept("-") { a = a - (try product()) }
                else { return a }
            }
        }

        mutating func product() throws(CelerError) -> Expr {
            var a = try unary()
            while true {
                if accept("*") { a = a * (try unary()) }
                else if accept("/") { a = a / (try unary()) }
                else { return a }
            }
        }

        mutating func unary() throws(CelerError) -> Expr {
            if accept("-") { return -(try unary()) }
            if accept("+") { return try unary() }
            if accept("~") { return .!(try unary()) }
            return try power()
        }

        mutating func power() throws(CelerError) -> Expr {
            let base = try primary()
            if accept("**") { return base ** (try unary()) }
            return base
        }

        mutating func primary() throws(CelerError) -> Expr {
            skipSpace()
            guard i < chars.count else { throw error("expected an operand at the end") }
            let start = i
            let c = chars[i]
            if c == "(" {
                i += 1
                let e = try comparison()
                try expect(")")
                return e
            }
            if c.isNumber || (c == "." && i + 1 < chars.count && chars[i + 1].isNumber) { return try number() }
            if c.isLetter || c == "_" {
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_") { i += 1 }
                let name = String(chars[start..<i])
                if accept("(") { return try call(name, at: start) }
                return Expr(Node(.input(name), position: start))
            }
            throw error("expected an operand, found '\(c)'")
        }

        mutating func number() throws(CelerError) -> Expr {
            let start = i
            var isFloat = false
            while i < chars.count && (chars[i].isNumber || chars[i] == ".") { if chars[i] == "." { isFloat = true }; i += 1 }
            if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                isFloat = true
                i += 1
                if i < chars.count && (chars[i] == "+" || chars[i] == "-") { i += 1 }
                while i < chars.count && chars[i].isNumber { i += 1 }
            }
            let s = String(chars[start..<i])
            if !isFloat, let v = Int(s) { return Expr(v) }
            guard let v = Double(s) else { throw error("malformed number '\(s)'", at: start) }
            return Expr(v)
        }

        mutating func call(_ name: String, at start: Int) throws(CelerError) -> Expr {
            var args: [Expr] = []
            var axis: Int? = nil
            if !accept(")") {
                repeat {
                    skipSpace()
                    let save = i
                    if chars[i...].starts(with: "axis") {
                        i += 4
                        if accept("=") {
                            let negative = accept("-")
                            skipSpace()
                            let s0 = i
                            while i < chars.count && chars[i].isNumber { i += 1 }
                            guard let v = Int(String(chars[s0..<i])) else { throw error("expected an integer axis", at: s0) }
                            axis = negative ? -v : v
                            continue
                        }
                        i = save
                    }
                    args.append(try comparison())
                } while accept(",")
                try expect(")")
            }
            func arity(_ n: Int) throws(CelerError) {
                guard args.count == n else { throw error("\(name) takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: start) }
            }
            switch name {
            case "where": try arity(3); return select(args[0], args[1], args[2])
            case "abs": try arity(1); return abs(args[0])
            case "sqrt": try arity(1); return sqrt(args[0])
            case "exp": try arity(1); return exp(args[0])
            case "log": try arity(1); return log(args[0])
            case "sin": try arity(1); return sin(args[0])
            case "cos": try arity(1); return cos(args[0])
            case "pow": try arity(2); return args[0] ** args[1]
            case "minimum": try arity(2); return minimum(args[0], args[1])
            case "maximum": try arity(2); return maximum(args[0], args[1])
            case "sum", "min", "max", "any", "all", "count":
                if args.count == 2, case .int(let v) = args[1].node.kind, axis == nil { axis = Int(v); args.removeLast() }
                try arity(1)
                return Expr(.reduce(ReduceOp(rawValue: name)!, axis: axis, args[0].node))
            default:
                if let t = DType(name: name) { try arity(1); return args[0].cast(to: t) }
                throw CelerError("expression", "unknown function '\(name)' at column \(start + 1) in \"\(text)\" (functions: where, abs, sqrt, exp, log, sin, cos, pow, minimum, maximum, sum, min, max, any, all, count, float64, float32, int64, int32, uint8, bool)")
            }
        }
    }
}
