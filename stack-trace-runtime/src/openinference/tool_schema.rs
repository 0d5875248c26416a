//! `tool.parameters`: a JSON Schema of the parameters a model provides, in the
//! shape OpenInference's Python `tool` decorator infers from a signature:
//! `{"type": "object", "title": <tool>, "description": <doc>, "properties":
//! {...}, "required": [...]}`.
//!
//! Generated code asks each parameter's type for its schema through autoref
//! specialization: a type implementing [`ToolSchema`] (strings, numbers,
//! booleans, `Option`, sequences, maps, tuples, smart pointers) gives its own;
//! with the `schemars` feature a type implementing `schemars::JsonSchema`
//! gives that; anything else gives `{}` (any value), as Python does.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;

use serde_json::{json, Map, Value};

/// The schema of one parameter, and whether a model must provide it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamSchema {
    /// The JSON Schema of the parameter's values.
    pub schema: Value,
    /// `false` for `Option<T>`.
    pub required: bool,
}

impl ParamSchema {
    /// Any value (`{}`), required: a type we know nothing about.
    #[must_use]
    pub fn unknown() -> Self {
        Self {
            schema: json!({}),
            required: true,
        }
    }
}

/// A type that knows its JSON Schema as a tool parameter.
pub trait ToolSchema {
    /// The JSON Schema of this type's values.
    fn tool_schema() -> Value;
    /// Whether a model must provide a value (`false` for `Option`).
    fn tool_required() -> bool {
        true
    }
}

macro_rules! fixed_schema {
    ($json:tt => $($ty:ty),+) => {
        $(impl ToolSchema for $ty {
            fn tool_schema() -> Value { json!($json) }
        })+
    };
}

fixed_schema!({"type": "string"} => str, String, char, std::borrow::Cow<'_, str>, std::path::PathBuf, std::path::Path);
fixed_schema!({"type": "integer"} => i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);
fixed_schema!({"type": "number"} => f32, f64);
fixed_schema!({"type": "boolean"} => bool);
fixed_schema!({} => Value);

macro_rules! transparent_schema {
    ($($ty:ty),+) => {
        $(impl<T: ToolSchema + ?Sized> ToolSchema for $ty {
            fn tool_schema() -> Value { T::tool_schema() }
            fn tool_required() -> bool { T::tool_required() }
        })+
    };
}

transparent_schema!(&T, &mut T, Box<T>, std::sync::Arc<T>, std::rc::Rc<T>);

impl<T: ToolSchema> ToolSchema for Option<T> {
    fn tool_schema() -> Value {
        json!({"anyOf": [T::tool_schema(), {"type": "null"}]})
    }
    fn tool_required() -> bool {
        false
    }
}

macro_rules! array_schema {
    ($($ty:ty),+) => {
        $(impl<T: ToolSchema> ToolSchema for $ty {
            fn tool_schema() -> Value { json!({"type": "array", "items": T::tool_schema()}) }
        })+
    };
}

array_schema!([T], Vec<T>, VecDeque<T>, BTreeSet<T>);

impl<T: ToolSchema, S> ToolSchema for HashSet<T, S> {
    fn tool_schema() -> Value {
        json!({"type": "array", "items": T::tool_schema()})
    }
}

impl<T: ToolSchema, const N: usize> ToolSchema for [T; N] {
    fn tool_schema() -> Value {
        json!({"type": "array", "items": T::tool_schema(), "minItems": N, "maxItems": N})
    }
}

impl<K, V: ToolSchema> ToolSchema for BTreeMap<K, V> {
    fn tool_schema() -> Value {
        json!({"type": "object", "additionalProperties": V::tool_schema()})
    }
}

impl<K, V: ToolSchema, S> ToolSchema for HashMap<K, V, S> {
    fn tool_schema() -> Value {
        json!({"type": "object", "additionalProperties": V::tool_schema()})
    }
}

impl ToolSchema for Map<String, Value> {
    fn tool_schema() -> Value {
        json!({"type": "object", "additionalProperties": {}})
    }
}

macro_rules! tuple_schema {
    ($n:literal => $($t:ident),+) => {
        impl<$($t: ToolSchema),+> ToolSchema for ($($t,)+) {
            fn tool_schema() -> Value {
                json!({"type": "array", "items": [$($t::tool_schema()),+], "minItems": $n, "maxItems": $n})
            }
        }
    };
}

tuple_schema!(1 => A);
tuple_schema!(2 => A, B);
tuple_schema!(3 => A, B, C);
tuple_schema!(4 => A, B, C, D);

/// Names a parameter's type at the call site (see the module docs).
pub struct SchemaProbe<T: ?Sized>(PhantomData<*const T>);

impl<T: ?Sized> SchemaProbe<T> {
    /// A probe for `T`.
    #[must_use]
    pub const fn new() -> Self {
        Self(PhantomData)
    }

    /// A probe for the type of `value` (a parameter bound by a pattern,
    /// whose type the signature does not spell).
    #[must_use]
    pub const fn of(_value: &T) -> Self {
        Self(PhantomData)
    }

    /// A probe for the type `value` refers to (a binding of a pattern
    /// matched through a reference).
    #[must_use]
    pub const fn of_ref(_value: &&T) -> Self {
        Self(PhantomData)
    }
}

impl<T: ?Sized> Default for SchemaProbe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The schema from [`ToolSchema`] (highest priority).
pub trait ViaToolSchema {
    /// The parameter's schema.
    fn st_schema(&self) -> ParamSchema;
}

impl<T: ToolSchema + ?Sized> ViaToolSchema for &&SchemaProbe<T> {
    fn st_schema(&self) -> ParamSchema {
        ParamSchema {
            schema: T::tool_schema(),
            required: T::tool_required(),
        }
    }
}

/// The schema from `schemars::JsonSchema` (with the `schemars` feature).
pub trait ViaJsonSchema {
    /// The parameter's schema.
    fn st_schema(&self) -> ParamSchema;
}

#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema + ?Sized> ViaJsonSchema for &SchemaProbe<T> {
    fn st_schema(&self) -> ParamSchema {
        let generator = schemars::generate::SchemaSettings::draft2020_12()
            .with(|s| s.inline_subschemas = true)
            .into_generator();
        let mut schema = generator.into_root_schema_for::<T>().to_value();
        if let Value::Object(map) = &mut schema {
            map.remove("$schema");
        }
        ParamSchema {
            schema,
            required: true,
        }
    }
}

/// Anything else: `{}`.
pub trait ViaNoSchema {
    /// The parameter's schema.
    fn st_schema(&self) -> ParamSchema;
}

impl<T: ?Sized> ViaNoSchema for SchemaProbe<T> {
    fn st_schema(&self) -> ParamSchema {
        ParamSchema::unknown()
    }
}

/// Builds the `tool.parameters` object of one tool.
#[derive(Debug)]
pub struct ToolParameters {
    schema: Map<String, Value>,
    properties: Map<String, Value>,
    required: Vec<Value>,
}

impl ToolParameters {
    /// Starts the schema of the tool `name`.
    #[must_use]
    pub fn new(name: &str, description: Option<&str>) -> Self {
        let mut schema = Map::new();
        schema.insert("type".to_owned(), json!("object"));
        schema.insert("title".to_owned(), json!(name));
        if let Some(description) = description {
            schema.insert("description".to_owned(), json!(description));
        }
        Self {
            schema,
            properties: Map::new(),
            required: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn param(&mut self, name: &str, description: Option<&str>, param: ParamSchema) {
        let mut property = match param.schema {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("allOf".to_owned(), json!([other]));
                map
            }
        };
        if let Some(description) = description {
            property.insert("description".to_owned(), json!(description));
        }
        self.properties
            .insert(name.to_owned(), Value::Object(property));
        if param.required {
            self.required.push(json!(name));
        }
    }

    /// The schema as JSON text.
    #[must_use]
    pub fn finish(mut self) -> String {
        self.schema
            .insert("properties".to_owned(), Value::Object(self.properties));
        if !self.required.is_empty() {
            self.schema
                .insert("required".to_owned(), Value::Array(self.required));
        }
        Value::Object(self.schema).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of<T: ToolSchema + ?Sized>() -> Value {
        T::tool_schema()
    }

    #[test]
    fn std_types() {
        assert_eq!(schema_of::<str>(), json!({"type": "string"}));
        assert_eq!(schema_of::<&String>(), json!({"type": "string"}));
        assert_eq!(schema_of::<u32>(), json!({"type": "integer"}));
        assert_eq!(schema_of::<f32>(), json!({"type": "number"}));
        assert_eq!(
            schema_of::<Vec<bool>>(),
            json!({"type": "array", "items": {"type": "boolean"}})
        );
        assert_eq!(
            schema_of::<[i64]>(),
            json!({"type": "array", "items": {"type": "integer"}})
        );
        assert_eq!(
            schema_of::<HashMap<String, f64>>(),
            json!({"type": "object", "additionalProperties": {"type": "number"}})
        );
        assert_eq!(
            schema_of::<Option<String>>(),
            json!({"anyOf": [{"type": "string"}, {"type": "null"}]})
        );
        assert!(!<Option<u8>>::tool_required());
        assert_eq!(
            schema_of::<(String, u8)>(),
            json!({"type": "array", "items": [{"type": "string"}, {"type": "integer"}], "minItems": 2, "maxItems": 2})
        );
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrows are the autoref specialization
    fn probes_pick_the_best_source() {
        struct Opaque;
        let known = (&&&SchemaProbe::<Vec<&str>>::new()).st_schema();
        assert_eq!(
            known.schema,
            json!({"type": "array", "items": {"type": "string"}})
        );
        let unknown = (&&&SchemaProbe::<Opaque>::new()).st_schema();
        assert_eq!(unknown, ParamSchema::unknown());
    }

    #[test]
    fn parameters_object_like_python() {
        let mut p = ToolParameters::new("get_weather", Some("Current weather."));
        p.param(
            "city",
            Some("The city"),
            (&&&SchemaProbe::<&str>::new()).st_schema(),
        );
        p.param(
            "days",
            None,
            (&&&SchemaProbe::<Option<u8>>::new()).st_schema(),
        );
        let v: Value = serde_json::from_str(&p.finish()).unwrap();
        assert_eq!(
            v,
            json!({
                "type": "object", "title": "get_weather", "description": "Current weather.",
                "properties": {
                    "city": {"type": "string", "description": "The city"},
                    "days": {"anyOf": [{"type": "integer"}, {"type": "null"}]}
                },
                "required": ["city"]
            })
        );
    }
}
