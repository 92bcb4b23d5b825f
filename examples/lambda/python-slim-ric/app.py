"""Greets whoever the event names."""

import json


def handler(event, context):
    name = event.get("name", "world")
    return {"statusCode": 200, "body": json.dumps({"greeting": f"Hello, {name}!"})}
