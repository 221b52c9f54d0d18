from django import forms
from django.core.exceptions import ValidationError


def apply_validation_error(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on a form: each field's errors beside the
    field, the rest (and errors on fields the form lacks) at the top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        else:
            form.add_error(None, [message for e in errors for message in e.messages])


def apply_domain_error(form: forms.BaseForm, error) -> None:
    """Show a service's DomainError on a form: field errors beside their fields (nested
    errors flattened), the message at the top when no field of the form carries it."""
    placed = False
    fields = {key: value for key, value in error.details.items() if key in form.fields}
    if error.field and error.field in form.fields:
        fields.setdefault(error.field, [error.message])
    for name, messages in fields.items():
        form.add_error(name, messages if isinstance(messages, list) else [str(messages)])
        placed = True
    if not placed:
        form.add_error(None, error.message)
