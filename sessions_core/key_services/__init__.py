"""The deployed side of the access tokens' keys, one concern per module: ``kms`` (keys
in AWS KMS, the default), ``secrets_manager`` (keys in a secret, signed in-process),
``errors`` (the one translation of their failures) and ``deployed`` (the key set in the
table, the keys where it says). Like ``dynamodb``, the only place AWS's SDK is used.
"""
