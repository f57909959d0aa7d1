import pytest
import time_machine

from participants.models import Enquiry
from participants.tasks import enquiries_delete_expired
from tests.participants.factories import EnquiryFactory


@pytest.mark.django_db
def test_expired_enquiries_are_deleted_by_the_nightly_task(academy):
    with time_machine.travel("2023-01-01 10:00", tick=False):
        EnquiryFactory(academy=academy)
    EnquiryFactory(academy=academy)
    assert enquiries_delete_expired.delay().get() == 1
    assert Enquiry.objects.count() == 1
