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


def _agent(app, name: str):
    (agent,) = [a for key, a in app.agents.items() if key == name or key.endswith("." + name)]
    return agent


def test_app_consumes_all_seven_intake_topics(model, catalogue):
    app, stages = create_app(settings=_settings(), model=model, catalogue=catalogue)
    assert len(app.agents) == 2
    assert set(_agent(app, "route").channel.topics) == {
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


def test_the_tracker_follows_routed_tickets_and_events_in_a_table(model, catalogue):
    app, _ = create_app(settings=_settings(topic_partitions=3), model=model, catalogue=catalogue)
    assert set(_agent(app, "track").channel.topics) == {"tickets.routed", "tickets.events"}
    table = app.tables["ticket-lifecycle"]
    assert table.partitions == 3
    assert table.changelog_topic.get_topic_name() == "hotline-router-ticket-lifecycle-changelog"
