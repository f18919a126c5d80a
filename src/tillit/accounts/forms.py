from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.accounts.models import ApiToken, Role


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AccessLogSearchForm(forms.Form):
    username = forms.CharField(label=_("User"), required=False)
    object_type = forms.CharField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    password = forms.CharField(
        label=_("Initial password"), widget=forms.PasswordInput, min_length=12
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("What the token is for"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("What the token may do"),
        choices=ApiToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=365, initial=90)
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        min_length=6,
        help_text=_(
            "Creating a token needs your second factor, even when you are already signed in."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class PasswordResetForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password"),
        widget=forms.PasswordInput,
        help_text=_(
            "Give it to the user in person. Their two-factor device is removed: "
            "they set up a new one at their next login."
        ),
    )


def validated_password(form, field: str, user) -> None:
    """Run the password validators and put their messages on the field."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    password = form.cleaned_data.get(field)
    if not password:
        return
    try:
        validate_password(password, user)
    except ValidationError as error:
        form.add_error(field, error)
