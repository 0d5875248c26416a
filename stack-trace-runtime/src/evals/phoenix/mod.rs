//! Phoenix's REST API (feature `otlp-http`, whose blocking HTTP client it
//! shares): the [`client`] the export thread sends annotations with, and
//! [`read`], the public [`PhoenixClient`] that reads traces and annotations
//! back.

pub(crate) mod client;
pub(crate) mod read;

pub use read::{PhoenixClient, ReadError, StoredSpan};
