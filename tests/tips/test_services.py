from __future__ import annotations

import pytest

from tests.conftest import PASSWORD


def _submit(kommun, channel="tips", text="Grannen fuskar med bidrag", contact=None, uploads=()):
    from tillit.tips import services

    return services.report_submit(
        municipality=kommun,
        channel=channel,
        category="benefit",
        answers={"what": text},
        contact=contact,
        uploads=list(uploads),
    )


def test_submit_open_with_code_and_as_receiver(personas, receivers, kommun_a):
    from tillit.tips import services

    report, code = _submit(kommun_a)
    assert len(code) == 16 and code.isdigit()
    assert report.reference.startswith("T-")
    opened = services.reporter_open(municipality=kommun_a, channel="tips", code=code)
    assert opened.content["what"] == "Grannen fuskar med bidrag"
    as_receiver = services.receiver_open(
        report=report, user=personas["investigator"], private_key=receivers["investigator"]
    )
    assert as_receiver.content == opened.content
    services.receiver_reply(opened=as_receiver, user=personas["investigator"], text="Vilket datum?")
    services.reporter_reply(opened=opened, text="I maj")
    texts = [m["text"] for m in services.messages_read(report, opened.data_key)]
    assert texts == ["Vilket datum?", "I maj"]


def test_wrong_code_refused_then_locked(personas, receivers, kommun_a):
    from tillit.tips import services

    _report, code = _submit(kommun_a)
    wrong = code[:4] + ("0" * 12 if code[4:] != "0" * 12 else "1" * 12)
    for _ in range(services.CODE_FAILURES_PER_BUCKET):
        with pytest.raises(services.TipError, match="No report has that receipt code"):
            services.reporter_open(municipality=kommun_a, channel="tips", code=wrong)
    # now even the right code is refused until the window passes
    with pytest.raises(services.TipError, match="Too many wrong codes"):
        services.reporter_open(municipality=kommun_a, channel="tips", code=code)


def test_the_code_of_one_channel_does_not_open_the_other(personas, receivers, kommun_a):
    from tillit.tips import services

    _report, code = _submit(kommun_a, channel="whistleblowing")
    with pytest.raises(services.TipError):
        services.reporter_open(municipality=kommun_a, channel="tips", code=code)


def test_recovery_needs_two_administrators(personas, receivers, kommun_a):
    from tillit.accounts.models import Role
    from tillit.accounts.services import user_create
    from tillit.tips import services

    admin = personas["admin"]
    admin2 = user_create(municipality=kommun_a, username="ada", password=PASSWORD, role=Role.ADMIN)
    _k, admin_key = services.key_create(user=admin, password=PASSWORD)
    _k, admin2_key = services.key_create(user=admin2, password=PASSWORD)
    with pytest.raises(services.TipError):
        services.recovery_key_create(user=admin, second_holder=admin)
    services.recovery_key_create(user=admin, second_holder=admin2)
    bob = personas["investigator"]
    # bob's key gets escrowed the next time he unlocks it
    services.key_unlock(user=bob, password=PASSWORD)
    report, _code = _submit(kommun_a)
    # bob forgets his password; an administrator resets it
    bob.set_password("a brand new password 42")
    bob.save()
    recovery = services.recovery_request(user=bob, new_password="a brand new password 42")
    services.recovery_approve(recovery=recovery, approver=admin, private_key=admin_key)
    recovery.refresh_from_db()
    assert recovery.status == "pending"  # one administrator is not enough
    with pytest.raises(services.TipError):
        services.recovery_approve(recovery=recovery, approver=admin, private_key=admin_key)
    services.recovery_approve(recovery=recovery, approver=admin2, private_key=admin2_key)
    private = services.key_unlock(user=bob, password="a brand new password 42")
    opened = services.receiver_open(report=report, user=bob, private_key=private)
    assert opened.content["what"] == "Grannen fuskar med bidrag"
    # and the old password no longer unlocks it
    with pytest.raises(services.TipError):
        services.key_unlock(user=bob, password=PASSWORD)
