//! The API's OpenAPI 3.1 description: it validates against the published
//! OpenAPI 3.1 schema (`tests/data`), documents every endpoint, `/api/v1/`
//! lists them, and every documented path answers, over HTTP, on the
//! fixture catalog with a body valid against the schema it documents.

mod common;

use ruledex_site::server::{self, ServerConfig, Shared};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;

fn description() -> Value {
    ruledex_site::api::openapi()
}

/// The published schema of OpenAPI 3.1 documents.
fn oas_schema() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/openapi-3.1-schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the OpenAPI 3.1 schema compiles")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// The JSON Schema (draft 2020-12, which OpenAPI 3.1 schemas are) of the
/// `status` response of `GET path`, with the description's components
/// beside it so its references resolve.
fn response_schema(doc: &Value, path: &str, status: &str) -> jsonschema::Validator {
    let schema =
        &doc["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{path} documents no {status} body");
    let mut root = schema.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["components"] = doc["components"].clone();
    jsonschema::validator_for(&root).unwrap_or_else(|e| panic!("{path} {status}: {e}"))
}

/// Every endpoint the server answers, as documented.
const ENDPOINTS: &[&str] = &[
    "/api/v1/",
    "/api/v1/openapi.json",
    "/api/v1/rules",
    "/api/v1/rules/{key}",
    "/api/v1/rules/{key}/related",
    "/api/v1/rules/by-id/{id}",
    "/api/v1/search",
    "/api/v1/coverage",
    "/api/v1/layer",
    "/api/v1/stats",
    "/api/v1/events",
    "/api/v1/events/{provider}",
    "/api/v1/events/{provider}/{event}",
];

#[test]
fn the_description_is_valid_openapi_3_1() {
    let doc = description();
    assert_eq!(doc["openapi"], "3.1.0");
    let problems = errors(&oas_schema(), &doc);
    assert!(problems.is_empty(), "not valid OpenAPI 3.1: {problems:#?}");
    // A broken description is caught: the schema is not vacuous.
    let mut broken = doc.clone();
    broken["paths"]["/api/v1/stats"]["get"]["responses"] = json!("none");
    assert!(!errors(&oas_schema(), &broken).is_empty());

    let mut documented: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.sort();
    let mut expected = ENDPOINTS.to_vec();
    expected.sort();
    assert_eq!(documented, expected);
    for (path, item) in doc["paths"].as_object().unwrap() {
        let get = &item["get"];
        let summary = get["summary"].as_str().unwrap_or_default();
        assert!(
            !summary.is_empty() && !summary.contains('\n'),
            "{path}: a one-line summary, not `{summary}`"
        );
        assert!(get["responses"]["200"].is_object(), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_documented_path_answers_with_its_documented_shape() {
    // With an event dictionary, so the event endpoints answer too.
    let site = common::event_site();
    let key = common::key(&site, "sentinel/encoded-powershell.yaml");
    let id = site.catalog().get(&key).unwrap().rule.id.clone();
    let shared = Shared::new(site, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(server::serve(listener, shared));
    let doc = description();

    // The key's `/` as `%2F`, as a generated client sends a path parameter.
    let encoded_key = key.replace('/', "%2F");
    // Each documented path with its parameters filled, and a query that
    // exercises its parameters.
    let requests: Vec<(&str, String)> = ENDPOINTS
        .iter()
        .map(|template| {
            let query = match *template {
                "/api/v1/rules" => "?lang=kql&platform=sentinel&page=1&per_page=3",
                "/api/v1/rules/{key}/related" => "?per_page=5",
                "/api/v1/search" => "?q=powershell%20lang:kql&per_page=5",
                "/api/v1/coverage" => "?include=hunting",
                "/api/v1/layer" => "?platform=sentinel&name=mine",
                _ => "",
            };
            let path = template
                .replace("{key}", &encoded_key)
                .replace("{id}", &id)
                .replace("{provider}", "microsoft-windows-security-auditing")
                .replace("{event}", "4688");
            (*template, format!("{path}{query}"))
        })
        .collect();
    let documented_errors = [
        ("/api/v1/rules", "/api/v1/rules?per_page=0", "400"),
        (
            "/api/v1/rules/{key}",
            "/api/v1/rules/no/such/rule.yaml",
            "404",
        ),
        (
            "/api/v1/rules/by-id/{id}",
            "/api/v1/rules/by-id/nothing",
            "404",
        ),
        ("/api/v1/search", "/api/v1/search?q=colour:red", "400"),
        ("/api/v1/coverage", "/api/v1/coverage?lang=cobol", "400"),
    ];
    let checks = tokio::task::spawn_blocking(move || {
        for (template, request) in &requests {
            let reply = common::get(addr, request);
            assert_eq!(reply.status, 200, "{request}: {}", reply.body);
            assert!(reply.headers.contains("application/json"), "{request}");
            let body: Value = serde_json::from_str(&reply.body).expect("JSON");
            let problems = errors(&response_schema(&doc, template, "200"), &body);
            assert!(
                problems.is_empty(),
                "{request} does not match {template}'s schema: {problems:#?}"
            );
            check_content(template, &body, &doc);
        }
        for (template, request, status) in documented_errors {
            let reply = common::get(addr, request);
            assert_eq!(reply.status.to_string(), status, "{request}");
            let body: Value = serde_json::from_str(&reply.body).unwrap();
            let problems = errors(&response_schema(&doc, template, status), &body);
            assert!(problems.is_empty(), "{request}: {problems:#?}");
        }
        // Not documented, so not answered.
        let reply = common::get(addr, "/api/v1/nothing");
        assert_eq!(reply.status, 404);
        assert!(reply.body.contains("/api/v1/"), "{}", reply.body);
        // Without the trailing slash, the index too.
        assert_eq!(common::get(addr, "/api/v1").status, 200);
    });
    checks.await.unwrap();
}

/// Beyond the shape: what a few answers must say.
fn check_content(template: &str, body: &Value, doc: &Value) {
    match template {
        "/api/v1/" => {
            let listed: Vec<&str> = body["endpoints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["path"].as_str().unwrap())
                .collect();
            let mut listed_sorted = listed.clone();
            listed_sorted.sort();
            let mut expected = ENDPOINTS.to_vec();
            expected.sort();
            assert_eq!(listed_sorted, expected, "the index lists every endpoint");
            assert_eq!(body["openapi"], "/api/v1/openapi.json");
        }
        "/api/v1/openapi.json" => assert_eq!(body, doc),
        "/api/v1/rules" => {
            assert_eq!(body["data"].as_array().unwrap().len(), 3);
            assert!(body["data"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["language"] == "kql" && r["platform"] == "sentinel"));
        }
        "/api/v1/rules/{key}" => {
            assert!(body["data"]["key"]
                .as_str()
                .unwrap()
                .ends_with("encoded-powershell.yaml"));
            assert!(body["data"]["rule"]["stages"].is_array());
        }
        "/api/v1/rules/by-id/{id}" => assert_eq!(body["data"].as_array().unwrap().len(), 1),
        "/api/v1/rules/{key}/related" => assert!(!body["data"].as_array().unwrap().is_empty()),
        "/api/v1/layer" => assert_eq!(body["name"], "mine"),
        _ => {}
    }
}
