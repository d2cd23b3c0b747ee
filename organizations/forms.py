"""Forms of the registry pages (crispy, Bootstrap 5)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import Organization, Role, SchoolClass


class PersonInviteForm(forms.Form):
    role = forms.ChoiceField(label="Роль")
    last_name = forms.CharField(label="Фамилия", max_length=150)
    first_name = forms.CharField(label="Имя", max_length=150)
    patronymic = forms.CharField(label="Отчество", max_length=150, required=False)
    email = forms.EmailField(
        label="Электронная почта",
        help_text="На неё придёт приглашение: принять или отклонить роль.",
    )
    phone = forms.CharField(label="Телефон", max_length=32, required=False)
    classes = forms.ModelMultipleChoiceField(
        label="Классы (для классного руководителя)",
        queryset=SchoolClass.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    had_vkm_profile = forms.BooleanField(
        label="Был профиль Сферум в VK Мессенджере (ВКМ)", required=False
    )

    def __init__(self, *args, organization, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        self.fields["classes"].queryset = SchoolClass.objects.active().filter(
            organization=organization
        )

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.CLASS_TEACHER and not data.get("classes"):
            self.add_error("classes", "Выберите хотя бы один класс классного руководителя.")
        return data


class SchoolClassForm(forms.ModelForm):
    """A class's name, new or renamed: unique in the organisation with case and spaces
    ignored («5а» is «5А»)."""

    class Meta:
        model = SchoolClass
        fields = ["name"]
        labels = {"name": "Класс или группа, например «5А»"}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        probe = SchoolClass(pk=self.instance.pk, organization=self.organization, name=name)
        if existing := probe.same_name_in_organization():
            raise forms.ValidationError(
                f"Класс «{existing.name}» уже есть в этой ОО (заглавные и строчные буквы и "
                "пробелы в названии не различаются)."
            )
        return name


class RequisitesForm(forms.ModelForm):
    """The organisation's requisites for its documents: full name and locality."""

    class Meta:
        model = Organization
        fields = ["full_name", "locality"]
        widgets = {"full_name": forms.Textarea(attrs={"rows": 3})}

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_locality(self):
        return " ".join(self.cleaned_data["locality"].split())


class LoginForm(AuthenticationForm):
    """The login form: the first field takes the login name or the e-mail address
    (``organizations.auth_backends``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Имя пользователя или электронная почта"
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs.update(maxlength=254, autocomplete="username")
