//! Print the S-expression tree and the errors of a query read from a file
//! (or standard input): `cargo run -p ruledex-kql --example kql_dump -- q.kql`.
use std::io::Read;

fn main() {
    let mut text = String::new();
    match std::env::args().nth(1) {
        Some(path) => text = std::fs::read_to_string(path).expect("readable file"),
        None => {
            std::io::stdin()
                .read_to_string(&mut text)
                .expect("readable stdin");
        }
    }
    let parsed = ruledex_kql::parse(&text);
    print!("{}", ruledex_kql::sexpr::render(&parsed.script));
    for e in &parsed.errors {
        println!("{}: {} at {}", e.code, e.message, e.span);
    }
}
