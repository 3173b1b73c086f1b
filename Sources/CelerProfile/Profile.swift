public enum CelerProfileModule {} // SKELETON STUB
