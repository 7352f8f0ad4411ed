//! Parser throughput over the fixture queries.
fn main() {}
