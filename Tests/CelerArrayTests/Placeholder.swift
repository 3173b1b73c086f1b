import Testing
// SKELETON: real tests come with the module.
