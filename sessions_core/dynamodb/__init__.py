"""The DynamoDB store and its parts, one concern per module: ``schema`` (the table as
template.yaml declares it), ``client``, ``errors`` (the one translation of botocore
failures), ``table`` (the `Table` every call goes through), ``items`` and
``user_items`` (item layout), ``store``, ``login_counters``, ``cleanup`` and ``setup``.
"""

from sessions_core.dynamodb.store import DynamoDBSessionStore

__all__ = ["DynamoDBSessionStore"]
