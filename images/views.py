from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dashboard.access import access_image, visible_images
from images.listing import image_rows


def image_list(request: HttpRequest) -> HttpResponse:
    rows = image_rows(visible_images(request.user))
    return render(request, "images/list.html", {"rows": rows})


def image_detail(request: HttpRequest, ref: str) -> HttpResponse:
    image = access_image(request.user, ref)
    return render(request, "images/detail.html", {"image": image})
