//! The benchmark workloads of `tests/data/workloads.json` (the requests the official
//! libraries were measured on), turned into requests as they arrive: shared by
//! `benches/verify.rs` and `tests/allocations.rs`.

#![allow(dead_code)]

use serde::Deserialize;
use std::collections::BTreeMap;
use twilio_auth_core::form;

#[derive(Deserialize)]
pub struct Workloads {
    pub token: String,
    pub workloads: BTreeMap<String, Workload>,
}

#[derive(Deserialize)]
pub struct Workload {
    pub kind: String,
    pub url: String,
    #[serde(default)]
    pub params: Vec<(String, String)>,
    #[serde(default)]
    pub body: Option<String>,
    pub signature: String,
    pub bad_signature: String,
}

/// A request as it arrives: path and query, headers, body bytes.
pub struct Raw {
    pub path_and_query: String,
    pub host: String,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub signed_string: String,
}

pub fn load() -> Workloads {
    // The workspace's `tests/data`, found from whichever crate includes this file.
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("tests/data/workloads.json"))
        .find(|path| path.is_file())
        .expect("tests/data/workloads.json in the workspace");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read workloads.json"))
        .expect("parse workloads")
}

pub fn raw(w: &Workload) -> Raw {
    let after_scheme = &w.url[w.url.find("://").unwrap() + 3..];
    let slash = after_scheme.find('/').unwrap();
    let (host, path_and_query) = after_scheme.split_at(slash);
    let (content_type, body, signed_string) = if w.kind == "form" {
        let suffix = form::params_suffix(&w.params);
        (
            "application/x-www-form-urlencoded",
            form::encode(&w.params).into_bytes(),
            format!("{}{suffix}", w.url),
        )
    } else {
        (
            "application/json",
            w.body.clone().unwrap().into_bytes(),
            w.url.clone(),
        )
    };
    Raw {
        path_and_query: path_and_query.to_owned(),
        host: host.to_owned(),
        content_type,
        body,
        signed_string,
    }
}
