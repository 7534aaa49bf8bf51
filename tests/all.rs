//! The integration tests, one binary (one link step).

#![allow(unreachable_pub, missing_docs)]

mod cli;
mod cli_doc;
mod common;
mod dcql;
mod hostile;
mod interop;
mod interop_mdoc;
mod interop_status;
mod layering;
mod limits;
mod mdoc;
mod mdoc_hostile;
mod mdoc_properties;
mod properties;
mod provenance;
mod provenance_properties;
mod python_cases;
mod recognition;
mod registry;
mod rules;
mod status;
mod status_store;
mod status_verify;
mod store;
mod threat_model;
mod trust_lists;
mod vectors;
mod w3c;
mod w3c_cose;
mod w3c_properties;
mod wallet;
