"""The Faust app's wiring (no broker needed: building an app does not connect)."""

from __future__ import annotations

from faust.sensors.prometheus import PrometheusMonitor

from router.app import create_app
from router.settings import Settings


def _settings(**overrides) -> Settings:
    return Settings(
        kafka_bootstrap_servers="127.0.0.1:1,127.0.0.1:2",
        redis_url="redis://127.0.0.1:1/0",
        **overrides,
    )


def test_app_consumes_all_seven_intake_topics(model, catalogue):
    app, stages = create_app(settings=_settings(), model=model, catalogue=catalogue)
    (agent,) = app.agents.values()
    assert set(agent.channel.topics) == {
        "intake.phone",
        "intake.web",
        "intake.app",
        "intake.wechat",
        "intake.mailbox",
        "intake.inquiry",
        "intake.grid",
    }
    assert [str(url) for url in app.conf.broker] == [
        "hotline://127.0.0.1:1",
        "hotline://127.0.0.1:2",
    ]
    assert stages.model is model


def test_faust_per_event_metrics_are_opt_in(model, catalogue):
    app, _ = create_app(settings=_settings(), model=model, catalogue=catalogue)
    assert not isinstance(app.monitor, PrometheusMonitor)
    app, _ = create_app(settings=_settings(faust_metrics=True), model=model, catalogue=catalogue)
    assert isinstance(app.monitor, PrometheusMonitor)
