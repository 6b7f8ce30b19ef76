"""Finding the pictures in Reddit's post shapes and X's media expansions."""

from __future__ import annotations

from bot.images import reddit_images, x_images

JPG = "https://i.redd.it/abc.jpg"


def gallery(*urls: str) -> dict:
    ids = [f"m{n}" for n in range(len(urls))]
    return {
        "is_gallery": True,
        "url": "https://www.reddit.com/gallery/xyz",
        "gallery_data": {"items": [{"media_id": i, "id": n} for n, i in enumerate(ids)]},
        "media_metadata": {
            i: {"status": "valid", "e": "Image", "m": "image/jpeg", "s": {"u": u, "x": 9, "y": 9}}
            for i, u in zip(ids, urls)
        },
    }


def test_direct_links():
    assert reddit_images({"url": JPG}) == [JPG]
    assert reddit_images({"url": "https://i.imgur.com/Q1w2.PNG"}) == [
        "https://i.imgur.com/Q1w2.PNG"
    ]
    assert reddit_images({"url": "https://example.com/story.html", "is_self": False}) == []


def test_gallery_in_its_order_without_failed_media():
    post = gallery("https://i.redd.it/1.jpg", "https://i.redd.it/2.jpg", "https://i.redd.it/3.jpg")
    post["gallery_data"]["items"].reverse()
    post["media_metadata"]["m1"]["status"] = "failed"
    assert reddit_images(post) == ["https://i.redd.it/3.jpg", "https://i.redd.it/1.jpg"]


def test_preview_of_an_image_post_but_not_of_a_link_or_video():
    preview = {"images": [{"source": {"url": "https://preview.redd.it/p.jpg"}, "resolutions": []}]}
    page = {"url": "https://imgur.com/a1b2c3", "post_hint": "image", "preview": preview}
    assert reddit_images(page) == ["https://preview.redd.it/p.jpg"]
    assert reddit_images({**page, "post_hint": "link"}) == []
    assert reddit_images({**page, "post_hint": "hosted:video"}) == []


def test_crosspost_takes_its_parents_images():
    post = {"url": "/r/a/comments/x/", "crosspost_parent_list": [gallery(JPG, JPG)]}
    assert reddit_images(post) == [JPG]


def test_x_own_photos_first_then_the_post_replied_to():
    media = [
        {"media_key": "3_1", "type": "photo", "url": "https://pbs.twimg.com/media/1.jpg"},
        {"media_key": "7_2", "type": "video", "preview_image_url": "https://pbs.twimg.com/v.jpg"},
        {"media_key": "3_3", "type": "photo", "url": "https://pbs.twimg.com/media/3.jpg"},
    ]
    parent = {"id": "10", "attachments": {"media_keys": ["3_3", "7_2"]}}
    own = {"id": "11", "attachments": {"media_keys": ["3_1"]}}
    reply = {"id": "12", "referenced_tweets": [{"type": "replied_to", "id": "10"}]}
    assert x_images(own, media, [parent]) == ["https://pbs.twimg.com/media/1.jpg"]
    assert x_images(reply, media, [parent]) == ["https://pbs.twimg.com/media/3.jpg"]
    assert x_images({"id": "13", "text": "hi"}, media, [parent]) == []
