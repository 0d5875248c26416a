"""Checks spans' gen_ai.* attributes with Phoenix's own code, offline.

Reads JSON lines from stdin, one span each: {"name", "attributes": {key: value}}
(the gen_ai.* keys only). For each span it
  * validates every structured value with the pydantic models Phoenix
    generated from the semconv JSON schemas, and
  * runs Phoenix's GenAI -> OpenInference converter on the attributes,
and prints one JSON line per span: {"name", "errors": [...], "converted": {...}}.
"""

import json
import sys

from phoenix.trace.gen_ai.__generated__ import models
from phoenix.trace.gen_ai.conversion import get_openinference_attributes

SCHEMAS = {
    "gen_ai.input.messages": models.InputMessages,
    "gen_ai.output.messages": models.OutputMessages,
    "gen_ai.system_instructions": models.SystemInstructions,
    "gen_ai.tool.definitions": models.ToolDefinitions,
    "gen_ai.retrieval.documents": models.RetrievalDocuments,
}

for line in sys.stdin:
    span = json.loads(line)
    attributes = span["attributes"]
    errors = []
    for key, model in SCHEMAS.items():
        if key in attributes:
            try:
                model.model_validate_json(attributes[key])
            except Exception as e:  # noqa: BLE001 - reported, not raised
                errors.append(f"{key}: {e}")
    converted = get_openinference_attributes(attributes)
    print(json.dumps({"name": span["name"], "errors": errors, "converted": converted}))
