//! Evaluating lowered predicates on sample events (placeholder, filled in
//! below).
