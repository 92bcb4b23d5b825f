"""AWS Lambda container images (LS4xx): rules that run only when `analysis.aws_lambda.lambda_image` says the
final image is a Lambda function image."""
