// MPI's predefined handles and constants as functions Swift can import.
//
// Open MPI defines MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM … as casts of the
// addresses of global structs; MPICH (and Intel MPI, Cray MPICH) defines them
// as integer constants cast to `int` handles. Swift imports neither kind of
// macro, but it imports static inline functions, and these compile against
// either library because they only name the standard macros.
#pragma once
#include <mpi.h>

static inline MPI_Comm     cmpi_comm_world(void)  { return MPI_COMM_WORLD; }
static inline MPI_Comm     cmpi_comm_self(void)   { return MPI_COMM_SELF; }
static inline MPI_Comm     cmpi_comm_null(void)   { return MPI_COMM_NULL; }
static inline MPI_Request  cmpi_request_null(void) { return MPI_REQUEST_NULL; }
static inline MPI_Datatype cmpi_datatype_null(void) { return MPI_DATATYPE_NULL; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }

static inline MPI_Op cmpi_op_sum(void) { return MPI_SUM; }
static inline MPI_Op cmpi_op_max(void) { return MPI_MAX; }
static inline MPI_Op cmpi_op_min(void) { return MPI_MIN; }

static inline MPI_Datatype cmpi_double(void)   { return MPI_DOUBLE; }
static inline MPI_Datatype cmpi_float(void)    { return MPI_FLOAT; }
static inline MPI_Datatype cmpi_int64(void)    { return MPI_INT64_T; }
static inline MPI_Datatype cmpi_int32(void)    { return MPI_INT32_T; }
static inline MPI_Datatype cmpi_uint64(void)   { return MPI_UINT64_T; }
static inline MPI_Datatype cmpi_uint8(void)    { return MPI_UINT8_T; }
static inline MPI_Datatype cmpi_bool(void)     { return MPI_C_BOOL; }
static inline MPI_Datatype cmpi_complex128(void) { return MPI_C_DOUBLE_COMPLEX; }
static inline MPI_Datatype cmpi_byte(void)     { return MPI_BYTE; }

static inline void *cmpi_in_place(void) { return MPI_IN_PLACE; }
static inline MPI_Status *cmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }

static inline int cmpi_success(void)       { return MPI_SUCCESS; }
static inline int cmpi_any_source(void)    { return MPI_ANY_SOURCE; }
static inline int cmpi_any_tag(void)       { return MPI_ANY_TAG; }
static inline int cmpi_undefined(void)     { return MPI_UNDEFINED; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
static inline int cmpi_max_processor_name(void) { return MPI_MAX_PROCESSOR_NAME; }
static inline int cmpi_order_c(void)       { return MPI_ORDER_C; }

static inline int cmpi_thread_single(void)     { return MPI_THREAD_SINGLE; }
static inline int cmpi_thread_funneled(void)   { return MPI_THREAD_FUNNELED; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_thread_multiple(void)   { return MPI_THREAD_MULTIPLE; }

// Status fields by accessor: their names are standard but the struct layout is not.
static inline int cmpi_status_source(const MPI_Status *s) { return s->MPI_SOURCE; }
static inline int cmpi_status_tag(const MPI_Status *s)    { return s->MPI_TAG; }
static inline int cmpi_status_error(const MPI_Status *s)  { return s->MPI_ERROR; }

// The implementation's name and version, for reports ("Open MPI v4.1.4 …").
static inline int cmpi_library_version(char *buffer, int *length) {
    return MPI_Get_library_version(buffer, length);
}
static inline int cmpi_max_library_version_string(void) { return MPI_MAX_LIBRARY_VERSION_STRING; }
static inline int cmpi_proc_null(void)     { return MPI_PROC_NULL; }
