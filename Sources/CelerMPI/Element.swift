#if MPI
import CMPI

/// A Swift type that travels as one MPI datatype, element for element.
///
/// Sizes are checked against `MPI_Type_size` when MPI starts
/// (`MPI.initialize`), so a mismatch is an error at start-up, never silent
/// corruption. How `.sum` reduces depends on `sumIsExact`: integer sums wrap
/// and are the same in any order, so MPI reduces them itself; floating-point
/// sums depend on the order, so CelerMPI adds them in rank order
/// (`Communicator.reduce`).
public protocol MPIElement: BitwiseCopyable, Sendable {
    /// The predefined MPI datatype of one element.
    static var mpiDatatype: MPI_Datatype { get }
    /// Its name in MPI ("MPI_DOUBLE"), for messages.
    static var mpiTypeName: String { get }
    /// Whether `a + b` is associative (integers) so any order gives the same bits.
    static var sumIsExact: Bool { get }
    /// Whether MPI's sum, min and max apply (false for Bool and complex min/max).
    static var isOrdered: Bool { get }
    /// `a + b` as the element's own arithmetic (wrapping for integers).
    static func mpiAdd(_ a: Self, _ b: Self) -> Self
}

extension Double: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_double() }
    public static var mpiTypeName: String { "MPI_DOUBLE" }
    public static var sumIsExact: Bool { false }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: Double, _ b: Double) -> Double { a + b }
}

extension Float: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_float() }
    public static var mpiTypeName: String { "MPI_FLOAT" }
    public static var sumIsExact: Bool { false }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: Float, _ b: Float) -> Float { a + b }
}

extension Int64: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_int64() }
    public static var mpiTypeName: String { "MPI_INT64_T" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }
}

extension Int: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_int64() }
    public static var mpiTypeName: String { "MPI_INT64_T" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: Int, _ b: Int) -> Int { a &+ b }
}

extension Int32: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_int32() }
    public static var mpiTypeName: String { "MPI_INT32_T" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: Int32, _ b: Int32) -> Int32 { a &+ b }
}

extension UInt64: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_uint64() }
    public static var mpiTypeName: String { "MPI_UINT64_T" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: UInt64, _ b: UInt64) -> UInt64 { a &+ b }
}

extension UInt8: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_uint8() }
    public static var mpiTypeName: String { "MPI_UINT8_T" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { true }
    @inlinable public static func mpiAdd(_ a: UInt8, _ b: UInt8) -> UInt8 { a &+ b }
}

extension Bool: MPIElement {
    public static var mpiDatatype: MPI_Datatype { cmpi_bool() }
    public static var mpiTypeName: String { "MPI_C_BOOL" }
    public static var sumIsExact: Bool { true }
    public static var isOrdered: Bool { false }
    @inlinable public static func mpiAdd(_ a: Bool, _ b: Bool) -> Bool { a || b }
}

#endif
