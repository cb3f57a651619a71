//! Each of the verifier's vector form decoders the CPU has (AVX-512, AVX2) against the
//! scalar one, on arbitrary bytes: the same text and the same fields, or a report of both.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twilio_auth_core::form;

fuzz_target!(|data: &[u8]| {
    if let Err(report) = form::vector_decoding_agrees(data) {
        panic!("the vector and scalar form decoders differ:\n{report}");
    }
});
