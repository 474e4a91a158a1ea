//! The OpenAPI document, generated from the request types themselves and served at `/openapi.json`.
//!
//! Every command goes through one route, `POST /v1/{aggregate}/{id}/{command}`; the document lists
//! it once per aggregate, with the aggregate's command names and the body of each (a `oneOf` keyed by
//! `command`, which the API takes from the path).

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::endpoints::{client, directory, invoice, roles, settings, vehicle, work_order};
use crate::pipeline::Accepted;

/// The shape of every refusal.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct ErrorBody {
    /// Stable machine code, e.g. `invoice_overpaid`.
    code: String,
    /// What went wrong, in English.
    message: String,
    /// What went wrong, in Russian, for the shop's staff.
    message_ru: String,
    /// The figures behind the refusal (balance, expected version, permission).
    details: Map<String, Value>,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Motorlog command API",
        description = "Commands change the shop: POST /v1/{aggregate}/{id}/{command} with a bearer token. \
                       Answers carry the new version (ETag; send it back as If-Match) and the log position \
                       a query can wait for. Idempotency-Key makes retries safe."
    ),
    components(schemas(
        client::ClientRequest,
        vehicle::VehicleRequest,
        work_order::WorkOrderRequest,
        invoice::InvoiceRequest,
        directory::CatalogueRequest,
        directory::DirectoryRequest,
        roles::RoleRequest,
        roles::StaffRequest,
        settings::SettingsRequest,
        Accepted,
        ErrorBody,
    ))
)]
struct CommandApiDoc;

/// Each aggregate segment with the schema of its request bodies.
const BODIES: &[(&str, &str)] = &[
    ("client", "ClientRequest"),
    ("vehicle", "VehicleRequest"),
    ("work_order", "WorkOrderRequest"),
    ("invoice", "InvoiceRequest"),
    ("catalogue_service", "CatalogueRequest"),
    ("directory", "DirectoryRequest"),
    ("role", "RoleRequest"),
    ("staff", "StaffRequest"),
    ("settings", "SettingsRequest"),
];

/// Every value of a `command` property's `enum` anywhere below `schema`.
fn command_names(schema: &Value, names: &mut Vec<String>) {
    match schema {
        Value::Object(object) => {
            if let Some(values) = object
                .get("properties")
                .and_then(|p| p.get("command"))
                .and_then(|c| c.get("enum"))
                .and_then(Value::as_array)
            {
                names.extend(values.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            for value in object.values() {
                command_names(value, names);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| command_names(item, names)),
        _ => {}
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut document = serde_json::to_value(CommandApiDoc::openapi()).unwrap_or_else(|_| json!({}));
    let error = json!({ "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } } });
    let mut paths = Map::new();
    for (aggregate, body) in BODIES {
        let mut names = Vec::new();
        command_names(&document["components"]["schemas"][*body], &mut names);
        names.sort();
        names.dedup();
        let described = |description: &str| {
            let mut answer = error.clone();
            answer["description"] = json!(description);
            answer
        };
        paths.insert(
            format!("/v1/{aggregate}/{{id}}/{{command}}"),
            json!({ "post": {
                "operationId": format!("{aggregate}_command"),
                "summary": format!("A command on a {aggregate}"),
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "id", "in": "path", "required": true, "schema": { "type": "string" } },
                    { "name": "command", "in": "path", "required": true, "schema": { "type": "string", "enum": names } },
                    { "name": "If-Match", "in": "header", "schema": { "type": "string" },
                      "description": "The version the command was prepared against; 412 if the record moved." },
                    { "name": "Idempotency-Key", "in": "header", "schema": { "type": "string", "maxLength": 200 },
                      "description": "A retry with the same key and body returns the first answer." },
                    { "name": "X-Correlation-Id", "in": "header", "schema": { "type": "string", "format": "uuid" } }
                ],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": format!("#/components/schemas/{body}") } } } },
                "responses": {
                    "200": { "description": "Accepted", "content": { "application/json": {
                        "schema": { "$ref": "#/components/schemas/Accepted" } } } },
                    "400": described("Malformed body or header"),
                    "401": described("No valid access token"),
                    "403": described("The caller's roles do not allow this command"),
                    "404": described("No such record or command"),
                    "409": described("Already exists, or concurrent changes kept winning"),
                    "412": described("If-Match does not match the record's version"),
                    "413": described("Body too large"),
                    "422": described("A rule of the shop refused the command")
                }
            }}),
        );
    }
    document["paths"] = Value::Object(paths);
    document["components"]["securitySchemes"] =
        json!({ "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" } });
    document
}
