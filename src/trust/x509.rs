//! X.509: certificate chains (`x5c`) validated with rustls-webpki, and a small
//! certificate builder for test PKIs and the demo.
