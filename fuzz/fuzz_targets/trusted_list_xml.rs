#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| passerelle::internal::fuzzing::trusted_list_xml(data));
