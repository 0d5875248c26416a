use stack_trace_runtime::chain;

// A type alias the macro cannot see through: checked by a trait, whose
// message says why it cannot be wrapped.
type Numbers = std::vec::IntoIter<u8>;

#[chain(stream)]
fn numbers(n: u8) -> Numbers {
    vec![n].into_iter()
}

fn main() {}
