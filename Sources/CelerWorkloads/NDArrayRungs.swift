import CelerArray

// The `ndarray` rungs: each case study written the way the tutorials write it
// with NumPy, on CelerArray. SKELETON STUB: filled in by the CelerArray work;
// each workload appends its list to its own rungs.
enum NDArrayRungs {}
