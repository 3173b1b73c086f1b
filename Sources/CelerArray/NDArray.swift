public enum CelerArrayModule {} // SKELETON STUB
