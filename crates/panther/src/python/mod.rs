//! Panther's Python programs: parsing ([`module`]) and lowering of the
//! rule function ([`lower`]).

pub mod lower;
pub mod module;

pub use lower::{lower_program, Lowered};
pub use module::{Constant, Module};
