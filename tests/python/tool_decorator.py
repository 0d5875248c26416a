"""The same tools as tests/tool.rs, traced by Arize's Python
openinference-instrumentation `tool` decorator; prints each span's name and
attributes as JSON, for the Rust test to compare with ours."""

import json
from typing import Annotated, Dict, List, Optional

from openinference.instrumentation import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
tracer = provider.get_tracer(__name__)


@tracer.tool
def get_weather(city: str, days: int) -> dict:
    """Current weather for a city."""
    return {"city": city, "temp_c": 18, "days": days}


@tracer.tool
def search(
    query: Annotated[str, "What to look for"],
    top_k: int,
    tags: List[str],
    filters: Dict[str, float],
    exact: bool,
    hint: Optional[str] = None,
) -> List[str]:
    """Searches the knowledge base."""
    return [f"{query}-{i}" for i in range(top_k)]


@tracer.tool
def now() -> str:
    """The current time."""
    return "2026-11-24T09:00:00Z"


@tracer.tool
def echo(text: str) -> str:
    return text


get_weather("Paris", 3)
search("rotate keys", 2, ["security"], {"min_score": 0.5}, True)
now()
echo("héllo")

print(json.dumps([{"name": s.name, "attributes": dict(s.attributes)} for s in exporter.get_finished_spans()]))
