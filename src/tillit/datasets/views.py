from __future__ import annotations

import csv
import uuid
import zipfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from tillit.accounts.access import fetch, has_perm, log_personal_data, require, scoped
from tillit.analytics.schema import DATASETS
from tillit.datasets import selectors, services
from tillit.datasets.forms import (
    ConfirmForm,
    EntityJudgementForm,
    ProfileForm,
    RetireForm,
    UploadForm,
)
from tillit.datasets.models import (
    PERSONAL_DATASETS,
    EntityJudgement,
    ImportAttempt,
    MappingProfile,
    Snapshot,
)
from tillit.lib.csvsafe import csv_cell
from tillit.lib.messages import render as render_message


def _profiles(user):
    return scoped(MappingProfile.objects.all(), user)


@require("data.view")
def dataset_list(request):
    context = {
        "datasets": selectors.dataset_overview(user=request.user),
        "attempts": scoped(ImportAttempt.objects.all(), request.user).select_related("started_by")[
            :10
        ],
        "can_import": has_perm(request.user, "data.import"),
        "form": UploadForm(profiles=_profiles(request.user)),
    }
    return render(request, "datasets/dataset_list.html", context)


@require("data.view")
def dataset_detail(request, name: str):
    if name not in DATASETS:
        from django.http import Http404

        raise Http404
    from tillit.accounts.models import Role

    snapshots = list(selectors.snapshot_list(user=request.user, dataset=name))
    for snapshot in snapshots:
        snapshot.can_withdraw = services.can_withdraw(request.user, snapshot)
    context = {
        "spec": DATASETS[name],
        "snapshots": snapshots,
        "can_retire": has_perm(request.user, "data.retire"),
        "can_reinstate": request.user.role == Role.COORDINATOR,
    }
    return render(request, "datasets/dataset_detail.html", context)


@require("data.import")
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None, profiles=_profiles(request.user))
    if request.method == "POST" and form.is_valid():
        incoming = request.FILES["file"]
        folder = Path(settings.DATA_DIR) / "uploads" / uuid.uuid4().hex
        folder.mkdir(parents=True)
        target = folder / Path(incoming.name).name
        with target.open("wb") as fh:
            for chunk in incoming.chunks():
                fh.write(chunk)
        if form.cleaned_data["dataset"] in ("invoices", "invoice_lines") and _is_einvoice_zip(
            target
        ):
            # a zip of e-invoices (Peppol BIS Billing 3) fills invoices and their lines at once
            url = _import_peppol(request, form, target)
            if url is not None:
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return redirect(url)
            return _upload_page(request, form)
        attempt = ImportAttempt.objects.create(
            municipality=request.user.municipality,
            dataset=form.cleaned_data["dataset"],
            source_name=Path(incoming.name).name,
            status=ImportAttempt.Status.PENDING,
            upload_path=str(target),
            profile=form.cleaned_data["profile"],
            started_by=request.user,
        )
        url = f"/data/inlasning/{attempt.pk}/"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return _upload_page(request, form)


def _is_einvoice_zip(path: Path) -> bool:
    """A zip that is not an Office Open XML document: an XLSX workbook is a zip too (it names its
    parts in [Content_Types].xml), and it is imported as a spreadsheet."""
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as archive:
        return "[Content_Types].xml" not in archive.namelist()


def _import_peppol(request, form: UploadForm, target: Path) -> str | None:
    """Import an uploaded zip of e-invoices; the page of the invoices' import, or None with the reasons
    as the form's errors when nothing could be imported."""
    import shutil

    from tillit.datasets.peppol import PeppolRefused, import_peppol, reason

    try:
        result = import_peppol(
            user=request.user, municipality=request.user.municipality, path=target
        )
    except PeppolRefused as refused:
        form.add_error("file", render_message(refused.message, refused.params))
        for item in refused.set_aside:
            form.add_error("file", reason(item, _))
        return None
    except services.ImportRefused as refused:
        return f"/data/inlasning/{refused.attempt.pk}/"
    finally:
        shutil.rmtree(target.parent, ignore_errors=True)
    first = result.invoices if result.invoices is not None else result.lines
    return f"/data/inlasning/{first.pk}/"


def _upload_page(request, form: UploadForm):
    response = render(
        request,
        "datasets/dataset_list.html",
        {
            "datasets": selectors.dataset_overview(user=request.user),
            "form": form,
            "can_import": True,
            "attempts": scoped(ImportAttempt.objects.all(), request.user)[:10],
        },
        status=400 if request.method == "POST" else 200,
    )
    if request.method == "POST" and request.headers.get("HX-Request"):
        # htmx does not show a 400: answer 200 and swap in the form with its errors where it stood
        response.status_code = 200
        response["HX-Retarget"] = "#upload-form"
        response["HX-Reswap"] = "outerHTML"
        response["HX-Reselect"] = "#upload-form"
    return response


@require("data.view")
def attempt_detail(request, pk: int):
    attempt = fetch(request, ImportAttempt, perm="data.view", pk=pk)
    if attempt.status == ImportAttempt.Status.PENDING:
        return _preview(request, attempt)
    context = {
        "attempt": attempt,
        "message": render_message(attempt.message, attempt.message_params)
        if attempt.message
        else "",
        "errors": [
            {**e, "text": render_message(e["message"], e["params"])} for e in attempt.errors[:200]
        ],
        "notes": [render_message(n["message"], n["params"]) for n in attempt.notes],
        "finished": attempt.status
        not in (ImportAttempt.Status.RUNNING, ImportAttempt.Status.PENDING),
    }
    template = (
        "datasets/attempt_progress.html"
        if request.headers.get("HX-Request")
        else "datasets/attempt_detail.html"
    )
    return render(request, template, context)


def _preview(request, attempt: ImportAttempt):
    from tillit.datasets.bounded import bounded_preview

    if not has_perm(request.user, "data.import"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    mapping = services.mapping_from_profile(attempt.profile)
    # in a child process with a time and memory limit, once per upload and mapping (security F4)
    result = bounded_preview(attempt.dataset, Path(attempt.upload_path), mapping=mapping, n=20)
    if attempt.dataset in PERSONAL_DATASETS:
        log_personal_data(
            request, object_type=f"upload:{attempt.dataset}", object_id=str(attempt.pk)
        )
    initial = dict(result.mapping.columns) if getattr(result, "mapping", None) else {}
    form = ConfirmForm(
        request.POST or None,
        dataset=attempt.dataset,
        headers=list(result.headers),
        initial_mapping=initial,
        initial={"date_format": (mapping.date_format if mapping else "") or "", "policy": "reject"},
    )
    if request.method == "POST":
        if "cancel" in request.POST:
            Path(attempt.upload_path).unlink(missing_ok=True)
            attempt.status = ImportAttempt.Status.REJECTED
            attempt.message = gettext_noop("The import was cancelled.")
            attempt.upload_path = ""
            attempt.save()
            return redirect("datasets-list")
        if form.is_valid():
            from dataclasses import asdict

            from tillit.analytics.ingest import Mapping

            chosen = Mapping(
                columns=form.mapping_columns(),
                unavailable=form.unavailable(),
                date_format=form.cleaned_data["date_format"] or None,
                decimal=mapping.decimal if mapping else None,
                encoding=mapping.encoding if mapping else None,
                delimiter=mapping.delimiter if mapping else None,
            )
            if form.cleaned_data["save_as"]:
                try:
                    attempt.profile = MappingProfile.objects.create(
                        municipality=attempt.municipality,
                        name=form.cleaned_data["save_as"],
                        dataset=attempt.dataset,
                        columns=chosen.columns,
                        unavailable=chosen.unavailable,
                        date_format=chosen.date_format or "",
                    )
                except IntegrityError:
                    form.add_error("save_as", _("A profile with that name already exists."))
            if not form.errors:
                attempt.mapping = asdict(chosen)
                attempt.policy = form.cleaned_data["policy"]
                attempt.force = form.cleaned_data["force"]
                attempt.status = ImportAttempt.Status.RUNNING
                attempt.save()
                from tillit.datasets.tasks import import_attempt_run

                import_attempt_run.enqueue(attempt.pk)
                return redirect("datasets-attempt", pk=attempt.pk)
    rows = [[r.get(c.name, "") for c in DATASETS[attempt.dataset].columns] for r in result.rows]
    return render(
        request,
        "datasets/attempt_preview.html",
        {
            "attempt": attempt,
            "preview": result,
            "form": form,
            "columns": DATASETS[attempt.dataset].columns,
            "rows": rows,
            "problems": [
                render_message(p.message, p.params) for p in getattr(result, "problems", [])
            ],
        },
    )


@require("data.view")
def attempt_errors_csv(request, pk: int):
    attempt = fetch(request, ImportAttempt, perm="data.view", pk=pk)
    if attempt.dataset in PERSONAL_DATASETS:
        log_personal_data(
            request,
            object_type=f"import-errors:{attempt.dataset}",
            object_id=str(attempt.pk),
            action="export",
        )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="felrapport-{attempt.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([_("File"), _("Row"), _("Column"), _("Value"), _("What is wrong")])
    for e in attempt.errors:
        writer.writerow(
            [
                csv_cell(v)
                for v in (
                    attempt.source_name,
                    e["row"],
                    e["column"],
                    e["value"],
                    render_message(e["message"], e["params"]),
                )
            ]
        )
    return response


@require_POST
@require("data.view")
def snapshot_withdraw(request, pk: int):
    """The importer takes their own import back (a coordinator may too); a coordinator can reinstate it."""
    from django.core.exceptions import PermissionDenied

    snapshot = fetch(request, Snapshot, perm="data.view", pk=pk)
    undo = request.POST.get("undo") == "1"
    try:
        if undo:
            services.snapshot_reinstate(user=request.user, snapshot=snapshot)
            messages.success(request, _("The snapshot is current again."))
        else:
            reason = request.POST.get("reason", "")
            if not reason.strip():
                messages.error(request, _("Give a reason for withdrawing the import."))
                return redirect("datasets-detail", name=snapshot.dataset)
            services.snapshot_withdraw(user=request.user, snapshot=snapshot, reason=reason)
            messages.success(
                request,
                _(
                    "The import was withdrawn: its rows are no longer in the data the controls "
                    "read. A coordinator can put it back."
                ),
            )
    except PermissionError:
        raise PermissionDenied from None
    except ValueError:
        messages.error(request, _("The snapshot cannot be changed that way."))
    return redirect("datasets-detail", name=snapshot.dataset)


@require_POST
@require("data.retire")
def snapshot_retire(request, pk: int):
    snapshot = fetch(request, Snapshot, perm="data.retire", pk=pk)
    form = RetireForm(request.POST)
    if form.is_valid():
        services.snapshot_retire(
            user=request.user, snapshot=snapshot, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The snapshot was retired and its data deleted."))
    else:
        messages.error(request, _("Give a reason for retiring the snapshot."))
    return redirect("datasets-detail", name=snapshot.dataset)


@require("data.view")
def profile_list(request):
    return render(
        request,
        "datasets/profile_list.html",
        {"profiles": _profiles(request.user), "can_edit": has_perm(request.user, "data.import")},
    )


@require("data.import")
def profile_edit(request, pk: int | None = None):
    profile = (
        fetch(request, MappingProfile, perm="data.import", pk=pk)
        if pk
        else MappingProfile(municipality=request.user.municipality)
    )
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            form.save()
        except IntegrityError:
            form.add_error("name", _("A profile with that name already exists."))
        else:
            messages.success(request, _("The mapping profile was saved."))
            return redirect("datasets-profiles")
    return render(request, "datasets/profile_edit.html", {"form": form, "profile": profile})


@require("data.view")
def entity_review(request):
    """Supplier records the rules hold to be one organisation: a coordinator confirms or refuses,
    and every later entity resolution respects the judgement."""
    from django.core.exceptions import PermissionDenied

    can_judge = services.can_judge_entities(request.user)
    if request.method == "POST":
        if not can_judge:
            raise PermissionDenied
        form = EntityJudgementForm(request.POST)
        if form.is_valid():
            try:
                services.entity_judge(
                    user=request.user,
                    kind=EntityJudgement.Kind.ORGANISATION,
                    record_a=form.cleaned_data["record_a"],
                    record_b=form.cleaned_data["record_b"],
                    same=form.cleaned_data["same"],
                    reason=form.cleaned_data["reason"],
                )
            except ValueError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _(
                        "The judgement on %(a)s and %(b)s was saved; every later entity resolution respects it."
                    )
                    % {"a": form.cleaned_data["record_a"], "b": form.cleaned_data["record_b"]},
                )
                return redirect("datasets-entities")
        else:
            messages.error(
                request,
                _("Choose whether the two records are the same organisation and give the reason."),
            )
    review = services.supplier_entity_review(municipality=request.user.municipality)
    # supplier records can name sole traders, whose organisation number is a personnummer
    log_personal_data(
        request, object_type="supplier_entities", object_id=f"{len(review['pairs'])} pairs"
    )
    for number, pair in enumerate(review["pairs"], start=1):
        # one form per pair, each with its own ids so that every label points at its own field
        pair["form"] = EntityJudgementForm(
            initial={"record_a": pair["a"]["key"], "record_b": pair["b"]["key"]},
            auto_id=f"pair{number}-%s",
        )
    judgements = scoped(
        EntityJudgement.objects.filter(kind=EntityJudgement.Kind.ORGANISATION), request.user
    ).select_related("decided_by")[:50]
    return render(
        request,
        "datasets/entity_review.html",
        {"review": review, "judgements": judgements, "can_judge": can_judge},
    )
