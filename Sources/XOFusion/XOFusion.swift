// The CX layer (experience metrics, fusion, analyses, output) lives in this
// module, on top of the engine in `XOFusionCore`. Importing `XOFusion` gives a
// service the whole public API: the engine's types are re-exported here so
// that one `import XOFusion` is enough.
@_exported import XOFusionCore
