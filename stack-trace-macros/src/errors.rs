//! Collects every error of one expansion so the user sees them all at once,
//! each on their own tokens.

use core::cell::RefCell;
use core::fmt::Display;

use quote::ToTokens;

pub(crate) struct Errors(RefCell<Option<Vec<syn::Error>>>);

impl Errors {
    pub(crate) fn new() -> Self {
        Self(RefCell::new(Some(Vec::new())))
    }

    /// An error spanned on `tokens`.
    pub(crate) fn at(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens, message));
    }

    pub(crate) fn push(&self, error: syn::Error) {
        self.0
            .borrow_mut()
            .as_mut()
            .expect("Errors used after finish")
            .push(error);
    }

    /// All errors combined, or `Ok` when there were none.
    pub(crate) fn finish(self) -> syn::Result<()> {
        let all = self.0.borrow_mut().take().unwrap_or_default();
        all.into_iter()
            .reduce(|mut a, b| {
                a.combine(b);
                a
            })
            .map_or(Ok(()), Err)
    }
}

impl Drop for Errors {
    fn drop(&mut self) {
        if !std::thread::panicking() && self.0.get_mut().is_some() {
            panic!("Errors dropped without finish(): an expansion forgot to check its errors");
        }
    }
}
