"""The profile page's form: which channels and kinds of message a person gets."""

from django import forms

from .models import Preference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email", "max", "digest", "reminder", "nudge"]
