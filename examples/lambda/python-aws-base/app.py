"""Lists the objects of a bucket named in the event."""

import boto3

s3 = boto3.client("s3")


def handler(event, context):
    listing = s3.list_objects_v2(Bucket=event["bucket"], MaxKeys=10)
    return [item["Key"] for item in listing.get("Contents", [])]
