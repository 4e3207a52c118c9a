"""The example app of example/app.ts, written in Python against the built wheel.

One stack, ``SpaWithLambdaApiExample``, with ``SpaWithLambdaApi`` and its defaults, and the same optional
custom domain from context values (``-c domainName=app.example.com -c hostedZoneId=Z123
-c hostedZoneName=example.com [-c certificateArn=arn:aws:acm:us-east-1:...]``). Construct ids, paths, the
stack description and ``analytics_reporting=False`` (CDKMetadata records the calling language) are those of
the TypeScript app, so both synthesize the same template: test_python_consumer.py checks that.

    cdk synth --app "python test/python-consumer/app.py"
"""

import os
from pathlib import Path
from typing import Optional

from aws_cdk import App, Environment, Stack
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from cdk_spa_with_lambda_api import SpaApiOptions, SpaDomainOptions, SpaSiteOptions, SpaWithLambdaApi

# The example's frontend build and FastAPI backend (the same folders example/app.ts uses).
EXAMPLE = Path(os.environ.get("SPA_EXAMPLE_DIR", Path(__file__).resolve().parents[2] / "example"))


def add_example_app(
    scope: Construct,
    *,
    domain_name: Optional[str] = None,
    hosted_zone_id: Optional[str] = None,
    hosted_zone_name: Optional[str] = None,
    certificate_arn: Optional[str] = None,
) -> SpaWithLambdaApi:
    """Builds the example stack's construct, as addExampleApp() in example/app.ts does."""
    domain = None
    if domain_name:
        hosted_zone = (
            route53.HostedZone.from_hosted_zone_attributes(
                scope, "Zone", hosted_zone_id=hosted_zone_id, zone_name=hosted_zone_name
            )
            if hosted_zone_id and hosted_zone_name
            else None
        )
        certificate = (
            acm.Certificate.from_certificate_arn(scope, "Certificate", certificate_arn) if certificate_arn else None
        )
        domain = SpaDomainOptions(domain_name=domain_name, hosted_zone=hosted_zone, certificate=certificate)
    return SpaWithLambdaApi(
        scope,
        "App",
        site=SpaSiteOptions(source=str(EXAMPLE / "frontend" / "dist")),
        api=SpaApiOptions(source=str(EXAMPLE / "backend"), handler="app.main.handler", streaming=True),
        domain=domain,
    )


def main() -> None:
    app = App(analytics_reporting=False)

    def context(key: str) -> Optional[str]:
        return app.node.try_get_context(key)

    stack = Stack(
        app,
        "SpaWithLambdaApiExample",
        description="cdk-spa-with-lambda-api example: a Vite SPA and a FastAPI API behind one CloudFront distribution",
        env=Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), region=os.environ.get("CDK_DEFAULT_REGION")),
    )
    add_example_app(
        stack,
        domain_name=context("domainName"),
        hosted_zone_id=context("hostedZoneId"),
        hosted_zone_name=context("hostedZoneName"),
        certificate_arn=context("certificateArn"),
    )
    app.synth()


if __name__ == "__main__":
    main()
