//! A fuzz pass over the query API's own schema: random queries built from its introspection (root
//! fields, their arguments and nested selections), with argument values mostly within their types
//! and often at or past their edges (odd unicode, huge and negative numbers, unknown enum values,
//! malformed ids and dates, wrong types, missing required arguments), inline or as variables, sent
//! under each role's token and none. Every answer must be below 500, in GraphQL's JSON shape
//! (`data` and/or `errors`, each error with a message), and no error may carry internal text.
//!
//! Bounded and repeatable: `GRAPHQL_FUZZ_CASES` queries (default 400) from `GRAPHQL_FUZZ_SEED`
//! (default fixed; the seed is printed on failure).

use std::collections::BTreeMap;

use reqwest::StatusCode;
use serde_json::{json, Map, Value};

use crate::staffed_shop;

/// Text that must never reach a client: it is our database's, driver's or runtime's.
const INTERNAL: &[&str] = &[
    "sqlx",
    "postgres",
    "relation \"",
    "syntax error at",
    "sqlstate",
    "pg_",
    "panicked",
    "database error",
    "error returned from database",
    "pool timed out",
    "clickhouse",
    "column \"",
    "violates",
    "tokio",
    "stack backtrace",
];

/// A small, seeded generator (SplitMix64): the same seed gives the same queries.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A type reference from introspection: `NON_NULL`/`LIST` wrappers around a named type.
#[derive(Debug, Clone)]
enum TypeRef {
    Named(String),
    List(Box<TypeRef>),
    NonNull(Box<TypeRef>),
}

impl TypeRef {
    fn read(value: &Value) -> TypeRef {
        match value["kind"].as_str().unwrap() {
            "NON_NULL" => TypeRef::NonNull(Box::new(TypeRef::read(&value["ofType"]))),
            "LIST" => TypeRef::List(Box::new(TypeRef::read(&value["ofType"]))),
            _ => TypeRef::Named(value["name"].as_str().unwrap().to_owned()),
        }
    }
    fn named(&self) -> &str {
        match self {
            TypeRef::Named(name) => name,
            TypeRef::List(inner) | TypeRef::NonNull(inner) => inner.named(),
        }
    }
    /// As written in a variable definition (`[UUID!]!`).
    fn written(&self) -> String {
        match self {
            TypeRef::Named(name) => name.clone(),
            TypeRef::List(inner) => format!("[{}]", inner.written()),
            TypeRef::NonNull(inner) => format!("{}!", inner.written()),
        }
    }
}

#[derive(Debug, Clone)]
struct Field {
    name: String,
    args: Vec<(String, TypeRef)>,
    kind: TypeRef,
}

#[derive(Debug, Default)]
struct Schema {
    /// Object and interface types' fields.
    objects: BTreeMap<String, Vec<Field>>,
    /// Input types' fields.
    inputs: BTreeMap<String, Vec<(String, TypeRef)>>,
    enums: BTreeMap<String, Vec<String>>,
    /// Union and interface types' possible object types.
    possible: BTreeMap<String, Vec<String>>,
    query: String,
}

const INTROSPECTION: &str = r"
query {
  __schema {
    queryType { name }
    types {
      kind name
      fields(includeDeprecated: true) { name args { name type { ...T } } type { ...T } }
      inputFields { name type { ...T } }
      enumValues(includeDeprecated: true) { name }
      possibleTypes { name }
    }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }
";

fn read_schema(answer: &Value) -> Schema {
    let schema = &answer["data"]["__schema"];
    let mut read = Schema {
        query: schema["queryType"]["name"].as_str().unwrap().to_owned(),
        ..Schema::default()
    };
    for kind in schema["types"].as_array().unwrap() {
        let name = kind["name"].as_str().unwrap().to_owned();
        if name.starts_with("__") {
            continue;
        }
        match kind["kind"].as_str().unwrap() {
            "OBJECT" | "INTERFACE" => {
                let fields = kind["fields"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|field| Field {
                        name: field["name"].as_str().unwrap().to_owned(),
                        args: field["args"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|arg| {
                                (
                                    arg["name"].as_str().unwrap().to_owned(),
                                    TypeRef::read(&arg["type"]),
                                )
                            })
                            .collect(),
                        kind: TypeRef::read(&field["type"]),
                    })
                    .collect();
                read.objects.insert(name.clone(), fields);
                if let Some(types) = kind["possibleTypes"].as_array() {
                    read.possible.insert(
                        name,
                        types
                            .iter()
                            .map(|t| t["name"].as_str().unwrap().to_owned())
                            .collect(),
                    );
                }
            }
            "UNION" => {
                read.possible.insert(
                    name,
                    kind["possibleTypes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t["name"].as_str().unwrap().to_owned())
                        .collect(),
                );
            }
            "INPUT_OBJECT" => {
                read.inputs.insert(
                    name,
                    kind["inputFields"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|f| {
                            (
                                f["name"].as_str().unwrap().to_owned(),
                                TypeRef::read(&f["type"]),
                            )
                        })
                        .collect(),
                );
            }
            "ENUM" => {
                read.enums.insert(
                    name,
                    kind["enumValues"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v["name"].as_str().unwrap().to_owned())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    read
}

/// Strings at the edges of what text can be.
const ODD_TEXT: &[&str] = &[
    "",
    " ",
    "Петров",
    "8 (912) 345-67-89",
    "+79123456789",
    "89123456789",
    "a123bc77",
    "XTAGFK330JY144213",
    "ЗН-2026-000001",
    "%",
    "_",
    "\\",
    "'; DROP TABLE events; --",
    "\" OR 1=1 --",
    "\u{202E}evil\u{202C}",
    "e\u{301}\u{301}\u{301}",
    "🚗🔧💸",
    "\u{FEFF}",
    "\u{FFFF}",
    "\u{10FFFF}",
    "\u{7F}\u{1}\u{1F}",
    "\t\n\r",
    "null",
    "NaN",
    "-0",
    "1e309",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "not-a-uuid",
    "2026-02-30",
    "2026-13-01T25:61:61Z",
    "9999-12-31T23:59:59Z",
    "-271821-04-20T00:00:00Z",
    "1970-01-01",
    "Europe/Moscow",
    "Mars/Olympus_Mons",
    "cash",
    "card",
    "MTAwMA==",
    "eyJpZCI6MX0",
];

const EDGE_INTS: &[i64] = &[
    0,
    1,
    -1,
    2,
    10,
    20,
    100,
    101,
    1000,
    100_000,
    i32::MAX as i64,
    i32::MIN as i64,
    i64::MAX,
    i64::MIN,
];

struct Generator<'a> {
    schema: &'a Schema,
    random: Random,
    known_ids: Vec<String>,
    variables: Map<String, Value>,
    definitions: Vec<String>,
    /// This query may break the schema's rules (wrong types, missing or unknown arguments and
    /// fields); otherwise it stays valid and only its values sit at the edges.
    hostile: bool,
}

impl Generator<'_> {
    fn text(&mut self) -> String {
        match self.random.below(4) {
            0 => {
                // A long run of one odd character, past any sane length.
                let unit = *self.random.pick(&["я", "🚗", "a", "\u{301}", " "]);
                unit.repeat(1 + self.random.below(3000))
            }
            _ => (*self.random.pick(ODD_TEXT)).to_owned(),
        }
    }

    /// A JSON value for `kind`: mostly within it, sometimes not.
    fn value(&mut self, kind: &TypeRef, depth: usize) -> Value {
        if self.hostile && self.random.chance(6) {
            // Anything at all, whatever the type.
            return match self.random.below(6) {
                0 => Value::Null,
                1 => json!(self.text()),
                2 => json!(*self.random.pick(EDGE_INTS)),
                3 => json!(1.5e300),
                4 => json!([]),
                _ => json!({ "unknown": true }),
            };
        }
        match kind {
            TypeRef::NonNull(inner) => self.value(inner, depth),
            TypeRef::List(inner) => {
                let n = if depth > 2 { 0 } else { self.random.below(4) };
                Value::Array((0..n).map(|_| self.value(inner, depth + 1)).collect())
            }
            TypeRef::Named(name) => self.named_value(name, depth),
        }
    }

    fn named_value(&mut self, name: &str, depth: usize) -> Value {
        match name {
            "Int" => {
                let n = *self.random.pick(EDGE_INTS);
                if self.hostile {
                    json!(n)
                } else {
                    json!(n.clamp(i32::MIN.into(), i32::MAX.into()))
                }
            }
            "Float" => json!(*self.random.pick(&[0.0, -1.5, 1e308, 3.25])),
            "Boolean" => json!(self.random.chance(50)),
            "String" | "ID" => json!(self.text()),
            "UUID" => {
                if self.random.chance(60) && !self.known_ids.is_empty() {
                    json!(self.random.pick(&self.known_ids).clone())
                } else if !self.hostile || self.random.chance(50) {
                    json!(uuid::Uuid::now_v7().to_string())
                } else {
                    json!(self.text())
                }
            }
            "DateTime" => json!(*self.random.pick(
                &[
                    // Valid first; a hostile query may take the invalid ones at the end too.
                    "2026-01-01T00:00:00Z",
                    "2026-12-31T23:59:59+03:00",
                    "1900-01-01T00:00:00Z",
                    "9999-12-31T23:59:59Z",
                    "2026-13-01T00:00:00Z",
                    "yesterday",
                ][..if self.hostile { 6 } else { 4 }]
            )),
            "NaiveDate" => json!(*self.random.pick(
                &[
                    "2026-01-01",
                    "2026-12-31",
                    "0001-01-01",
                    "9999-12-31",
                    "2026-02-30",
                    "tomorrow",
                ][..if self.hostile { 6 } else { 4 }]
            )),
            "Money" => json!(*self.random.pick(
                &[
                    json!("0.00"),
                    json!("1.5"),
                    json!("-100"),
                    json!("92233720368547758.07"),
                    json!(1),
                    json!("money"),
                ][..if self.hostile { 6 } else { 5 }]
            )),
            "JSON" => json!({ "a": [1, "b", null] }),
            other => {
                if let Some(values) = self.schema.enums.get(other) {
                    if !self.hostile || self.random.chance(85) {
                        json!(self.random.pick(values).clone())
                    } else {
                        json!("NOT_A_VALUE")
                    }
                } else if let Some(fields) = self.schema.inputs.get(other) {
                    let fields = fields.clone();
                    let mut object = Map::new();
                    for (field, kind) in &fields {
                        let required = matches!(kind, TypeRef::NonNull(_));
                        if depth < 3 && (required || self.random.chance(50)) {
                            object.insert(field.clone(), self.value(kind, depth + 1));
                        }
                    }
                    Value::Object(object)
                } else {
                    json!(self.text())
                }
            }
        }
    }

    /// A JSON value written as a GraphQL literal; enum values unquoted where they look like names.
    fn literal(&self, value: &Value, kind: &TypeRef) -> String {
        let enum_name = self.schema.enums.contains_key(kind.named());
        match value {
            Value::String(text) if enum_name && is_name(text) => text.clone(),
            Value::Array(items) => {
                let inner = match kind {
                    TypeRef::NonNull(inner) => match inner.as_ref() {
                        TypeRef::List(item) => item.as_ref().clone(),
                        other => other.clone(),
                    },
                    TypeRef::List(item) => item.as_ref().clone(),
                    other => other.clone(),
                };
                let items: Vec<String> = items.iter().map(|v| self.literal(v, &inner)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Object(object) => {
                let fields = self.schema.inputs.get(kind.named());
                let parts: Vec<String> = object
                    .iter()
                    .map(|(name, value)| {
                        let field_kind = fields
                            .and_then(|f| f.iter().find(|(n, _)| n == name))
                            .map_or(TypeRef::Named("String".into()), |(_, k)| k.clone());
                        format!("{name}: {}", self.literal(value, &field_kind))
                    })
                    .collect();
                format!("{{{}}}", parts.join(", "))
            }
            // JSON's string and number syntax is GraphQL's (with `\u` escapes for the rest).
            other => other.to_string(),
        }
    }

    /// `(a: …, b: …)` for a field's arguments: inline literals or variables, a required one
    /// sometimes left out, an unknown one sometimes added.
    fn arguments(&mut self, args: &[(String, TypeRef)]) -> String {
        let mut parts = Vec::new();
        for (name, kind) in args {
            let required = matches!(kind, TypeRef::NonNull(_));
            if !required && self.random.chance(50) {
                continue;
            }
            if required && self.hostile && self.random.chance(10) {
                continue;
            }
            let value = self.value(kind, 0);
            if self.random.chance(40) {
                let variable = format!("v{}", self.variables.len());
                self.definitions
                    .push(format!("${variable}: {}", kind.written()));
                self.variables.insert(variable.clone(), value);
                parts.push(format!("{name}: ${variable}"));
            } else {
                parts.push(format!("{name}: {}", self.literal(&value, kind)));
            }
        }
        if self.hostile && self.random.chance(10) {
            parts.push("noSuchArgument: 1".into());
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("({})", parts.join(", "))
        }
    }

    /// A selection set for the named type, or nothing for a scalar or enum.
    fn selection(&mut self, type_name: &str, depth: usize) -> String {
        if let Some(possible) = self.schema.possible.get(type_name).cloned() {
            if !self.schema.objects.contains_key(type_name) {
                // A union: `__typename` and a fragment on some of its members.
                let mut parts = vec!["__typename".to_owned()];
                for member in possible.iter().take(3) {
                    parts.push(format!(
                        "... on {member} {}",
                        self.selection(member, depth + 1)
                    ));
                }
                return format!("{{ {} }}", parts.join(" "));
            }
        }
        let Some(fields) = self.schema.objects.get(type_name).cloned() else {
            return String::new();
        };
        let mut parts = vec!["__typename".to_owned()];
        for field in &fields {
            let nested = self.schema.objects.contains_key(field.kind.named())
                || self.schema.possible.contains_key(field.kind.named());
            if nested && depth >= 3 {
                continue;
            }
            if !self.random.chance(if nested { 35 } else { 60 }) {
                continue;
            }
            let alias = if self.random.chance(10) {
                format!("a{}: ", self.random.below(1000))
            } else {
                String::new()
            };
            let arguments = self.arguments(&field.args);
            let selection = if nested {
                self.selection(field.kind.named(), depth + 1)
            } else {
                String::new()
            };
            parts.push(format!("{alias}{}{arguments} {selection}", field.name));
        }
        if self.hostile && self.random.chance(10) {
            parts.push("noSuchField".into());
        }
        format!("{{ {} }}", parts.join(" "))
    }

    /// One request body: a query on one to three root fields, with its variables.
    fn request(&mut self) -> Value {
        self.variables = Map::new();
        self.definitions = Vec::new();
        self.hostile = self.random.chance(30);
        let roots = self.schema.objects[&self.schema.query].clone();
        let mut parts = Vec::new();
        for i in 0..1 + self.random.below(3) {
            let field = self.random.pick(&roots).clone();
            let arguments = self.arguments(&field.args);
            let selection = self.selection(field.kind.named(), 1);
            parts.push(format!("r{i}: {}{arguments} {selection}", field.name));
        }
        let definitions = if self.definitions.is_empty() {
            String::new()
        } else {
            format!("({})", self.definitions.join(", "))
        };
        json!({
            "query": format!("query Fuzz{definitions} {{ {} }}", parts.join(" ")),
            "variables": Value::Object(self.variables.clone()),
        })
    }
}

fn is_name(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Every error's message and extensions, lower-cased, for the internal-text check.
fn error_texts(body: &Value) -> String {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| format!("{} {}", e["message"], e["extensions"]))
                .collect::<Vec<_>>()
                .join("\n")
                .to_lowercase()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn random_queries_within_the_schema_are_answered_below_500_in_the_graphql_shape() {
    let staffed = staffed_shop("q_fuzz").await;
    let shop = &staffed.shop;
    let introspection = shop.query(Some(&staffed.owner), INTROSPECTION, None).await;
    assert_eq!(
        introspection.status,
        StatusCode::OK,
        "{}",
        introspection.body
    );
    let schema = read_schema(&introspection.body);
    assert!(
        schema
            .objects
            .get(&schema.query)
            .is_some_and(|f| f.len() > 5),
        "the introspection read no root fields"
    );

    let seed: u64 = std::env::var("GRAPHQL_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x6d6f_746f_726c_6f67);
    let cases: usize = std::env::var("GRAPHQL_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let mut generator = Generator {
        schema: &schema,
        random: Random(seed),
        known_ids: [
            staffed.client,
            staffed.vehicle,
            staffed.assigned_order,
            staffed.other_order,
            staffed.invoice,
            staffed.mechanic_id,
        ]
        .iter()
        .map(ToString::to_string)
        .collect(),
        variables: Map::new(),
        definitions: Vec::new(),
        hostile: false,
    };
    let tokens: [Option<&str>; 5] = [
        Some(&staffed.owner),
        Some(&staffed.advisor),
        Some(&staffed.mechanic),
        Some(&staffed.cashier),
        None,
    ];
    let mut failures = Vec::new();
    let mut answered_with_data = 0;
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for case in 0..cases {
        let body = generator.request();
        let token = tokens[case % tokens.len()];
        let mut request = shop
            .http
            .post(format!("{}/graphql", shop.queries()))
            .json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let shaped = answer.is_object()
            && (answer.get("data").is_some() || answer.get("errors").is_some())
            && answer.get("errors").is_none_or(|errors| {
                errors.as_array().is_some_and(|errors| {
                    !errors.is_empty() && errors.iter().all(|e| e["message"].is_string())
                })
            });
        let texts = error_texts(&answer);
        let leaked: Vec<&&str> = INTERNAL.iter().filter(|w| texts.contains(**w)).collect();
        if status.is_server_error() || !shaped || !leaked.is_empty() {
            failures.push(format!(
                "case {case} (seed {seed}, role {}): {status}{}\n  request: {body}\n  answer: {}",
                tokens[case % tokens.len()].map_or("none", |_| [
                    "owner", "advisor", "mechanic", "cashier", "none"
                ][case % tokens.len()]),
                if leaked.is_empty() {
                    String::new()
                } else {
                    format!(", internal text {leaked:?}")
                },
                text.chars().take(600).collect::<String>()
            ));
        }
        // Reached a resolver: some root field came back with a value.
        if answer["data"]
            .as_object()
            .is_some_and(|roots| roots.values().any(|v| !v.is_null()))
        {
            answered_with_data += 1;
        }
        if let Some(error) = answer["errors"].get(0) {
            let code = error["extensions"]["code"]
                .as_str()
                .map_or_else(|| error["message"].to_string(), str::to_owned);
            let short: String = code.chars().take(80).collect();
            *refusals.entry(short).or_insert(0) += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} fuzzed queries were answered wrongly:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The pass must reach the resolvers, not only the validator: a fifth of the queries at least.
    assert!(
        answered_with_data * 5 >= cases,
        "only {answered_with_data} of {cases} queries reached a resolver; first errors: {refusals:#?}"
    );
}
